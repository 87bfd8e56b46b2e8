/* OpenSSL 3 (Debian libssl-dev): STARTTLS in qsentry-smtpd. */
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/opensslv.h>
