#pragma once
// HMAC-SHA1 for SRTP's per-packet tag (RFC 3711 §4.2.1) with nothing allocated per call.
//
// OpenSSL 3.0 has no allocation-free way to reuse a keyed HMAC: EVP_MAC_CTX_dup makes 11 heap
// allocations per packet, HMAC_CTX_copy 4, re-initialising with a NULL key 2 (its digest
// contexts are duplicated through the provider). The low-level SHA1_* functions are
// deprecated in OpenSSL 3 (so Swift would warn on every call), but their context is a plain
// struct: the inner and outer states of the keyed pads are hashed once, and each packet
// copies them by value. Same SHA-NI/AVX code as EVP underneath. See hmac.c.
#include <stddef.h>
#include <stdint.h>

/// An HMAC-SHA1 key with its inner (key XOR ipad) and outer (key XOR opad) SHA-1 states
/// precomputed. Opaque to Swift; made once per SRTP session key.
typedef struct CMeshShims_HMACSHA1 CMeshShims_HMACSHA1;

/// A key for HMAC-SHA1 (RFC 2104); keys longer than 64 bytes are hashed first. NULL when
/// allocation or hashing fails.
CMeshShims_HMACSHA1 *CMeshShims_HMACSHA1_new(const uint8_t *key, size_t keyLength);

/// Frees a key made by CMeshShims_HMACSHA1_new (and wipes it).
void CMeshShims_HMACSHA1_free(CMeshShims_HMACSHA1 *mac);

/// Writes HMAC-SHA1(key, first ‖ second) (20 bytes) to `output`; either part may be empty.
/// SRTP authenticates the packet followed by the ROC or the SRTCP index word, which are not
/// contiguous in the caller's buffer, hence two parts. Returns 1 on success, 0 on failure.
int CMeshShims_HMACSHA1_mac(
    const CMeshShims_HMACSHA1 *mac, const void *first, size_t firstLength, const void *second,
    size_t secondLength, uint8_t *output);
