/* OpenSSL 3 (Debian libssl-dev): STARTTLS and SASL base64 in qsentry-smtpd. */
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/opensslv.h>
/* DKIM keys and ARC signatures (QSentryAuth), `qsentry dkim keygen`. */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

/* OpenSSL's setters are macros, which Swift cannot call: one function for each setting qsentry makes. */

/* TLS 1.2 is the floor (E15): SSLv3, TLS 1.0 and 1.1 are refused in the handshake. */
static inline int qsentry_ssl_ctx_require_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

/* No compression (CRIME), no renegotiation, the server's cipher order, and no session
 * tickets or cache: each qsentry-smtpd process serves one connection, so a ticket could
 * never be redeemed. */
static inline void qsentry_ssl_ctx_harden(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION
                             | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 0);
}

/* The web console's signed release links (HMAC-SHA256) and session tokens. */
#include <openssl/hmac.h>
#include <openssl/rand.h>
