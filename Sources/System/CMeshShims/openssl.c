#include "CMeshShims.h"
// Thin functions over OpenSSL macros; the reasons are documented in CMeshShims_openssl.h.

unsigned long CMeshShims_OPENSSL_VERSION_NUMBER(void) { return OPENSSL_VERSION_NUMBER; }

long CMeshShims_DTLSv1_get_timeout(SSL *ssl, struct timeval *timeout) {
    return DTLSv1_get_timeout(ssl, timeout);
}

long CMeshShims_DTLSv1_handle_timeout(SSL *ssl) { return DTLSv1_handle_timeout(ssl); }

long CMeshShims_SSL_set_mtu(SSL *ssl, long mtu) { return SSL_set_mtu(ssl, mtu); }

long CMeshShims_SSL_CTX_set_min_proto_version(SSL_CTX *context, int version) {
    return SSL_CTX_set_min_proto_version(context, version);
}

long CMeshShims_SSL_CTX_set_max_proto_version(SSL_CTX *context, int version) {
    return SSL_CTX_set_max_proto_version(context, version);
}

long CMeshShims_SSL_CTX_set_mode(SSL_CTX *context, long mode) { return SSL_CTX_set_mode(context, mode); }

long CMeshShims_SSL_CTX_disable_session_cache(SSL_CTX *context) {
    return SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
}

long CMeshShims_BIO_set_mem_eof_return(BIO *bio, int value) { return BIO_set_mem_eof_return(bio, value); }

long CMeshShims_BIO_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }

int CMeshShims_BIO_reset(BIO *bio) { return (int)BIO_reset(bio); }

uint64_t CMeshShims_SSL_OP_NO_QUERY_MTU(void) { return SSL_OP_NO_QUERY_MTU; }
