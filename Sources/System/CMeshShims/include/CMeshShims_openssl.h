#pragma once
// OpenSSL entry points that are C function-like macros, which Swift cannot import.
// Each wrapper forwards to the macro unchanged; see openssl.c for why each one is needed.
#include <openssl/ssl.h>
#include <openssl/bio.h>
#include <sys/time.h>

/// OPENSSL_VERSION_NUMBER is a macro over a literal that Swift does not import as a constant;
/// the headers we compiled against, for logs and feature checks.
unsigned long CMeshShims_OPENSSL_VERSION_NUMBER(void);

/// DTLSv1_get_timeout is a macro over SSL_ctrl(DTLS_CTRL_GET_TIMEOUT): the time left before
/// the current flight should be retransmitted. Returns 1 when a timer is running.
long CMeshShims_DTLSv1_get_timeout(SSL *ssl, struct timeval *timeout);

/// DTLSv1_handle_timeout is a macro over SSL_ctrl(DTLS_CTRL_HANDLE_TIMEOUT): retransmits the
/// last flight when its timer has expired.
long CMeshShims_DTLSv1_handle_timeout(SSL *ssl);

/// SSL_set_mtu is a macro over SSL_ctrl(SSL_CTRL_SET_MTU): memory BIOs cannot report a path
/// MTU, so the caller sets the datagram size handshake records must fit in.
long CMeshShims_SSL_set_mtu(SSL *ssl, long mtu);

/// SSL_CTX_set_min_proto_version / SSL_CTX_set_max_proto_version are macros over SSL_CTX_ctrl;
/// used to pin DTLS 1.2.
long CMeshShims_SSL_CTX_set_min_proto_version(SSL_CTX *context, int version);
long CMeshShims_SSL_CTX_set_max_proto_version(SSL_CTX *context, int version);

/// SSL_CTX_set_mode is a macro over SSL_CTX_ctrl(SSL_CTRL_MODE).
long CMeshShims_SSL_CTX_set_mode(SSL_CTX *context, long mode);

/// SSL_CTX_set_session_cache_mode is a macro over SSL_CTX_ctrl; sessions are never resumed on
/// WebRTC's DTLS, and a context shared by many sessions would otherwise keep each one.
long CMeshShims_SSL_CTX_disable_session_cache(SSL_CTX *context);

/// BIO_set_mem_eof_return is a macro over BIO_ctrl: makes an empty memory BIO read as
/// "retry later" instead of end of file, which is what a datagram transport needs.
long CMeshShims_BIO_set_mem_eof_return(BIO *bio, int value);

/// BIO_get_mem_data is a macro over BIO_ctrl(BIO_CTRL_INFO): borrows the bytes a memory BIO
/// holds without copying. Returns their count.
long CMeshShims_BIO_get_mem_data(BIO *bio, char **data);

/// BIO_reset is a macro over BIO_ctrl(BIO_CTRL_RESET): empties a memory BIO after its bytes
/// were taken with CMeshShims_BIO_get_mem_data.
int CMeshShims_BIO_reset(BIO *bio);

/// SSL_OP_NO_QUERY_MTU is built with the SSL_OP_BIT() function-like macro, so Swift does not
/// import it; memory BIOs need it because they cannot report a path MTU.
uint64_t CMeshShims_SSL_OP_NO_QUERY_MTU(void);
