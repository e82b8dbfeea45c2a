// See CMeshShims_net.h for why these exist: mmsghdr needs _GNU_SOURCE, cmsg needs macros.
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include "CMeshShims_net.h"

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

// Swift fills CMeshShims_mmsghdr arrays and the kernel reads them as struct mmsghdr.
_Static_assert(sizeof(CMeshShims_mmsghdr) == sizeof(struct mmsghdr),
               "CMeshShims_mmsghdr must match struct mmsghdr");
_Static_assert(offsetof(CMeshShims_mmsghdr, msg_hdr) == offsetof(struct mmsghdr, msg_hdr),
               "CMeshShims_mmsghdr.msg_hdr offset");
_Static_assert(offsetof(CMeshShims_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len),
               "CMeshShims_mmsghdr.msg_len offset");

int CMeshShims_sendmmsg(int fd, CMeshShims_mmsghdr *messages, unsigned int count, int flags) {
    int sent;
    do {
        sent = sendmmsg(fd, (struct mmsghdr *)messages, count, flags);
    } while (sent < 0 && errno == EINTR);
    return sent < 0 ? -errno : sent;
}

ssize_t CMeshShims_sendSegmented(int fd, const struct iovec *iov, size_t iovCount,
                                 uint16_t segmentSize,
                                 const struct sockaddr *destination, socklen_t destinationLength) {
    // Aligned storage for exactly one cmsghdr carrying a uint16_t.
    union {
        char bytes[CMSG_SPACE(sizeof(uint16_t))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));

    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_name = (void *)destination;
    message.msg_namelen = destinationLength;
    message.msg_iov = (struct iovec *)iov;
    message.msg_iovlen = iovCount;
    message.msg_control = control.bytes;
    message.msg_controllen = sizeof(control.bytes);

    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_UDP;
    header->cmsg_type = UDP_SEGMENT;
    header->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    memcpy(CMSG_DATA(header), &segmentSize, sizeof(segmentSize));

    ssize_t sent;
    do {
        sent = sendmsg(fd, &message, 0);
    } while (sent < 0 && errno == EINTR);
    return sent < 0 ? -errno : sent;
}

int CMeshShims_udpSegmentationSupported(int fd) {
    int value = 0;
    socklen_t length = sizeof(value);
    return getsockopt(fd, SOL_UDP, UDP_SEGMENT, &value, &length) == 0 ? 1 : 0;
}

int CMeshShims_enableReceiveOffload(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof(on)) == 0 ? 1 : 0;
}

int CMeshShims_receiveBatch(int fd, uint8_t *buffer, size_t slotSize, unsigned int count,
                            CMeshShims_receivedDatagram *received) {
    if (count > CMeshShims_maxReceiveBatch) count = CMeshShims_maxReceiveBatch;
    // The kernel writes a UDP_GRO control message (an int) only for a coalesced datagram.
    union control {
        char bytes[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    };
    struct mmsghdr messages[CMeshShims_maxReceiveBatch];
    struct iovec vectors[CMeshShims_maxReceiveBatch];
    union control controls[CMeshShims_maxReceiveBatch];
    for (unsigned int i = 0; i < count; i++) {
        vectors[i].iov_base = buffer + (size_t)i * slotSize;
        vectors[i].iov_len = slotSize;
        memset(&messages[i], 0, sizeof(messages[i]));
        messages[i].msg_hdr.msg_name = &received[i].sender;
        messages[i].msg_hdr.msg_namelen = sizeof(received[i].sender);
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_control = controls[i].bytes;
        messages[i].msg_hdr.msg_controllen = sizeof(controls[i].bytes);
    }
    int read;
    do {
        read = recvmmsg(fd, messages, count, MSG_DONTWAIT, NULL);
    } while (read < 0 && errno == EINTR);
    if (read < 0) return -errno;
    for (int i = 0; i < read; i++) {
        struct msghdr *message = &messages[i].msg_hdr;
        received[i].length = messages[i].msg_len;
        received[i].truncated = (message->msg_flags & MSG_TRUNC) ? 1 : 0;
        received[i].segmentSize = 0;
        for (struct cmsghdr *header = CMSG_FIRSTHDR(message); header != NULL;
             header = CMSG_NXTHDR(message, header)) {
            if (header->cmsg_level == SOL_UDP && header->cmsg_type == UDP_GRO) {
                int size;
                memcpy(&size, CMSG_DATA(header), sizeof(size));
                received[i].segmentSize = (uint16_t)size;
            }
        }
    }
    return read;
}
