#pragma once
// Batched UDP sends for MeshRuntime: sendmmsg and UDP generic segmentation offload (GSO).
//
// Why a shim: struct mmsghdr and sendmmsg are declared only under _GNU_SOURCE, so Swift does
// not see them through Glibc; and a UDP_SEGMENT control message is built with the
// CMSG_FIRSTHDR / CMSG_DATA / CMSG_SPACE / CMSG_LEN macros, which Swift cannot import.
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

/// A copy of the kernel's struct mmsghdr (Swift cannot import the original; see above).
/// net.c checks with _Static_assert that size and layout match the real one.
typedef struct CMeshShims_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
} CMeshShims_mmsghdr;

/// sendmmsg(2), retried on EINTR. Returns how many messages the kernel took, or -errno.
int CMeshShims_sendmmsg(int fd, CMeshShims_mmsghdr *messages, unsigned int count, int flags);

/// Sends the bytes of `iov` to `destination` as one sendmsg carrying a UDP_SEGMENT control
/// message: the kernel (or the NIC) cuts them into datagrams of `segmentSize` bytes, the last
/// one possibly shorter. Returns the bytes sent, or -errno (EIO, EINVAL, ENOPROTOOPT or
/// EOPNOTSUPP mean the kernel or the route cannot segment: fall back to sendmmsg).
ssize_t CMeshShims_sendSegmented(int fd, const struct iovec *iov, size_t iovCount,
                                 uint16_t segmentSize,
                                 const struct sockaddr *destination, socklen_t destinationLength);

/// 1 when the socket accepts UDP_SEGMENT (kernel 4.18 and later), else 0.
int CMeshShims_udpSegmentationSupported(int fd);

/// The most segments one UDP_SEGMENT send may carry (the kernel's UDP_MAX_SEGMENTS, 64 on
/// older kernels; newer ones allow more, 64 is the portable floor).
#define CMeshShims_maxSegmentsPerSend 64
