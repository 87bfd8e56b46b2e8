/* libclamav (Debian libclamav-dev): in-process scanning for small sites and tests. */
#include <clamav.h>
