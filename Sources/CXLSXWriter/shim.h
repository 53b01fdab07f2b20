#ifndef MAPPA_CXLSXWRITER_SHIM_H
#define MAPPA_CXLSXWRITER_SHIM_H
/* libxlsxwriter (Debian libxlsxwriter-dev): https://libxlsxwriter.github.io/ */
#include <xlsxwriter.h>
#endif
