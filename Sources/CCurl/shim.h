#ifndef MAPPA_CCURL_SHIM_H
#define MAPPA_CCURL_SHIM_H
/* libcurl easy interface: https://curl.se/libcurl/c/libcurl-easy.html
   curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call, so each kind of argument the
   SMTP sender passes has a fixed-argument shim here (https://curl.se/libcurl/c/curl_easy_setopt.html: "the
   parameter type depends on the option": a long, a char *, a function pointer, an object pointer or a
   curl_off_t). */
#include <curl/curl.h>

/* Options taking a C string (CURLOPT_URL, CURLOPT_MAIL_FROM, CURLOPT_USERNAME, ...). libcurl copies strings
   passed to curl_easy_setopt (since 7.17.0), so the Swift string may be freed after the call. */
static inline CURLcode mappa_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/* Options taking a long (CURLOPT_UPLOAD, CURLOPT_USE_SSL, CURLOPT_CONNECTTIMEOUT, ...). The argument must be a
   long, not an int: the variadic call reads a long. */
static inline CURLcode mappa_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/* Options taking an object pointer (CURLOPT_READDATA, CURLOPT_MAIL_RCPT's struct curl_slist *). libcurl does
   not copy these: the object must outlive the transfer. */
static inline CURLcode mappa_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/* CURLOPT_READFUNCTION: https://curl.se/libcurl/c/CURLOPT_READFUNCTION.html */
static inline CURLcode mappa_curl_set_read_function(CURL *handle, curl_read_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}

/* CURLINFO_RESPONSE_CODE: the last SMTP reply code (https://curl.se/libcurl/c/CURLINFO_RESPONSE_CODE.html). */
static inline long mappa_curl_response_code(CURL *handle) {
    long code = 0;
    if (curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK) return 0;
    return code;
}

#endif
