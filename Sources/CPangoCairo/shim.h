#ifndef MAPPA_CPANGOCAIRO_SHIM_H
#define MAPPA_CPANGOCAIRO_SHIM_H
/* Pango: https://docs.gtk.org/Pango/  PangoCairo: https://docs.gtk.org/PangoCairo/
   cairo PDF surfaces: https://www.cairographics.org/manual/cairo-PDF-Surfaces.html */
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#endif
