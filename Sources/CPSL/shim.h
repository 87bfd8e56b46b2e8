/* libpsl (Debian libpsl-dev), reading the list Debian's publicsuffix package keeps up to date. */
#include <libpsl.h>
