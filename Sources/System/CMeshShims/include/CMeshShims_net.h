#pragma once
// Batched UDP for MeshRuntime: sendmmsg and UDP generic segmentation offload (GSO) on the
// way out, recvmmsg with UDP generic receive offload (GRO) on the way in.
//
// Why a shim: struct mmsghdr, sendmmsg and recvmmsg are declared only under _GNU_SOURCE, so
// Swift does not see them through Glibc; and UDP_SEGMENT and UDP_GRO control messages are
// built and read with the CMSG_* macros, which Swift cannot import.
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

/// One datagram as ``CMeshShims_receiveBatch`` read it.
typedef struct CMeshShims_receivedDatagram {
    /// Bytes read into its slot (all segments of a coalesced one).
    uint32_t length;
    /// The UDP_GRO segment size: the kernel coalesced datagrams of this size (the last may be
    /// shorter) into this one; 0 when it is a single datagram.
    uint16_t segmentSize;
    /// 1 when the datagram did not fit its slot (MSG_TRUNC) and its bytes are incomplete.
    uint8_t truncated;
    /// Who sent it.
    struct sockaddr_storage sender;
} CMeshShims_receivedDatagram;

/// Asks the kernel to hand this socket runs of equal-size datagrams from one sender as one
/// coalesced datagram (UDP_GRO, Linux 5.0 and later). 1 when it accepted, else 0.
int CMeshShims_enableReceiveOffload(int fd);

/// recvmmsg(2) of up to `count` datagrams (at most CMeshShims_maxReceiveBatch), the i-th into
/// `buffer + i * slotSize`, without waiting; each one's length, GRO segment size, truncation
/// and sender in `received[i]`. Retried on EINTR. Returns how many were read, or -errno
/// (-EAGAIN: none waiting).
int CMeshShims_receiveBatch(int fd, uint8_t *buffer, size_t slotSize, unsigned int count,
                            CMeshShims_receivedDatagram *received);

/// The most datagrams one CMeshShims_receiveBatch call reads.
#define CMeshShims_maxReceiveBatch 64
