import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request head does not arrive whole within a deadline, after
/// answering 408 (RFC 9110 §15.5.9). The deadline starts when the connection opens (first
/// request) or when the first byte of a later request arrives, and bytes that trickle in do not
/// renew it: a slow-header client gets the same few seconds as any other.
///
/// It sits after the HTTP codec, where request heads are visible; ``RequestBytesSignal`` sits
/// before the decoder and tells it when bytes arrive, which a partial head does not show here.
/// Between requests it is disarmed and Hummingbird's idle timeout governs the connection.
final class RequestHeadTimeout: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase {
        /// Between requests: no deadline until a byte of the next one arrives.
        case idle
        /// Bytes of a head have arrived (or the connection just opened); the deadline runs.
        case readingHead
        /// The head arrived; its body and response follow.
        case inRequest
    }

    private let timeout: TimeAmount
    private var phase = Phase.idle
    private var deadline: Scheduled<Void>?
    /// Requests whose response has not ended yet.
    private var responsesPending = 0
    /// A pipelined head started while a response was still being written; its deadline starts
    /// when that response ends, so a slow handler never cuts a response short.
    private var headStartedDuringResponse = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startHead(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelActive(context: ChannelHandlerContext) {
        startHead(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is RequestBytesArrived else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard phase == .idle else { return }
        if responsesPending > 0 {
            headStartedDuringResponse = true
        } else {
            startHead(context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            disarm()
            phase = .inRequest
            responsesPending += 1
        case .body:
            break
        case .end:
            phase = .idle
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            responsesPending = max(0, responsesPending - 1)
            if responsesPending == 0, headStartedDuringResponse {
                headStartedDuringResponse = false
                if phase == .idle { startHead(context) }
            }
        }
        context.write(data, promise: promise)
    }

    private func startHead(_ context: ChannelHandlerContext) {
        phase = .readingHead
        guard deadline == nil else { return }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            deadline = nil
            guard phase == .readingHead else { return }
            expire(context)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }

    /// 408 when no response is in flight (one would interleave with it), then close.
    private func expire(_ context: ChannelHandlerContext) {
        guard responsesPending == 0 else {
            context.close(promise: nil)
            return
        }
        let milliseconds = timeout.nanoseconds / 1_000_000
        let limit = milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
        let body = ByteBuffer(string: "request head not received within \(limit)\n")
        let head = HTTPResponse(
            status: .requestTimeout,
            headerFields: [
                .connection: "close", .contentType: "text/plain; charset=utf-8",
                .contentLength: String(body.readableBytes),
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(promise: nil)
    }
}

/// The event ``RequestBytesSignal`` sends up the pipeline for each read.
struct RequestBytesArrived {}

/// Sits in front of the HTTP decoder and announces every read with ``RequestBytesArrived``, so
/// that ``RequestHeadTimeout`` can start a head's deadline at its first byte.
final class RequestBytesSignal: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireUserInboundEventTriggered(RequestBytesArrived())
        context.fireChannelRead(data)
    }
}
