/* c-ares (Debian libc-ares-dev): the one asynchronous DNS resolver. */
#include <ares.h>
#include <arpa/nameser.h>
