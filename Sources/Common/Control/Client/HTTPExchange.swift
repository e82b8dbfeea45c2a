import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP/1.1 request and its response over a fresh connection (`Connection: close`): the
/// internal API is a handful of calls per link, so a pool would buy nothing.
enum HTTPExchange {
    /// The largest response body read.
    static let maxResponseBytes = 1 << 20

    /// A response: its status and body.
    struct Answer: Sendable {
        let status: Int
        let body: [UInt8]
    }

    /// Why no complete answer arrived.
    enum Failure: Error, CustomStringConvertible {
        case connect(String)
        case timedOut
        case closedEarly
        case transport(String)
        case responseTooLarge

        var description: String {
            switch self {
            case .connect(let reason): "cannot connect: \(reason)"
            case .timedOut: "no complete answer in time"
            case .closedEarly: "the connection closed before the response ended"
            case .transport(let reason): reason
            case .responseTooLarge: "response larger than \(HTTPExchange.maxResponseBytes) bytes"
            }
        }
    }

    /// Sends `head` and `body` to `host:port` and waits at most `timeout` for the whole answer.
    static func send(
        _ head: HTTPRequestHead, body: [UInt8], host: String, port: Int, timeout: TimeAmount
    ) async throws(Failure) -> Answer {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = loop.makePromise(of: Answer.self)
        let deadline = loop.scheduleTask(in: timeout) { promise.fail(Failure.timedOut) }
        defer { deadline.cancel() }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        ExchangeHandler(head: head, body: body, promise: promise))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            promise.fail(Failure.connect("\(error)"))
            throw .connect("\(error)")
        }
        defer { channel.close(promise: nil) }
        do {
            return try await promise.futureResult.get()
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .transport("\(error)")
        }
    }
}

/// Writes the request once the connection is up and gathers the response into the promise.
private final class ExchangeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let head: HTTPRequestHead
    private let body: [UInt8]
    private let promise: EventLoopPromise<HTTPExchange.Answer>
    private var status: Int?
    private var received: [UInt8] = []
    private var finished = false

    init(head: HTTPRequestHead, body: [UInt8], promise: EventLoopPromise<HTTPExchange.Answer>) {
        self.head = head
        self.body = body
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !body.isEmpty {
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            status = Int(responseHead.status.code)
        case .body(let buffer):
            guard received.count + buffer.readableBytes <= HTTPExchange.maxResponseBytes else {
                finish(.failure(HTTPExchange.Failure.responseTooLarge), context: context)
                return
            }
            received.append(contentsOf: buffer.readableBytesView)
        case .end:
            if let status {
                finish(.success(HTTPExchange.Answer(status: status, body: received)), context: context)
            } else {
                finish(.failure(HTTPExchange.Failure.closedEarly), context: context)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(HTTPExchange.Failure.transport("\(error)")), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(HTTPExchange.Failure.closedEarly), context: context)
        context.fireChannelInactive()
    }

    private func finish(_ result: Result<HTTPExchange.Answer, any Error>, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        promise.completeWith(result)
        context.close(promise: nil)
    }
}
