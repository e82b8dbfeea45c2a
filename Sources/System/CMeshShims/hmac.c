// Allocation-free HMAC-SHA1 over precomputed pad states; why it is not EVP_MAC is in
// CMeshShims_hmac.h.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "CMeshShims_hmac.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

struct CMeshShims_HMACSHA1 {
    SHA_CTX inner;  // after hashing key XOR ipad (one 64-byte block)
    SHA_CTX outer;  // after hashing key XOR opad
};

static int hashPad(SHA_CTX *context, const uint8_t *key, size_t keyLength, uint8_t pad) {
    uint8_t block[SHA_CBLOCK];
    memset(block, pad, sizeof block);
    for (size_t i = 0; i < keyLength; i++) block[i] ^= key[i];
    int ok = SHA1_Init(context) && SHA1_Update(context, block, sizeof block);
    OPENSSL_cleanse(block, sizeof block);
    return ok;
}

CMeshShims_HMACSHA1 *CMeshShims_HMACSHA1_new(const uint8_t *key, size_t keyLength) {
    uint8_t hashed[SHA_DIGEST_LENGTH];
    if (keyLength > SHA_CBLOCK) {  // RFC 2104 §2: a long key is replaced by its hash
        if (SHA1(key, keyLength, hashed) == NULL) return NULL;
        key = hashed;
        keyLength = sizeof hashed;
    }
    CMeshShims_HMACSHA1 *mac = malloc(sizeof *mac);
    if (mac == NULL) return NULL;
    if (!hashPad(&mac->inner, key, keyLength, 0x36) || !hashPad(&mac->outer, key, keyLength, 0x5c)) {
        CMeshShims_HMACSHA1_free(mac);
        mac = NULL;
    }
    OPENSSL_cleanse(hashed, sizeof hashed);
    return mac;
}

void CMeshShims_HMACSHA1_free(CMeshShims_HMACSHA1 *mac) {
    if (mac == NULL) return;
    OPENSSL_cleanse(mac, sizeof *mac);
    free(mac);
}

int CMeshShims_HMACSHA1_mac(
    const CMeshShims_HMACSHA1 *mac, const void *first, size_t firstLength, const void *second,
    size_t secondLength, uint8_t *output) {
    SHA_CTX context = mac->inner;  // a struct copy: no allocation, no key schedule
    uint8_t innerHash[SHA_DIGEST_LENGTH];
    int ok = SHA1_Update(&context, first, firstLength) && SHA1_Update(&context, second, secondLength) &&
             SHA1_Final(innerHash, &context);
    context = mac->outer;
    ok = ok && SHA1_Update(&context, innerHash, sizeof innerHash) && SHA1_Final(output, &context);
    OPENSSL_cleanse(&context, sizeof context);
    return ok;
}
