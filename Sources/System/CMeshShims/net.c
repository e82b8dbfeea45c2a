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
