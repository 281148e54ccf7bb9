package io.ringkv.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.EventExecutor;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.server.kv.KvException;
import io.ringkv.server.kv.ReadOptions;
import io.ringkv.server.kv.WriteOptions;
import io.ringkv.server.metrics.NodeMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * One client connection: decodes commands, runs them, and writes their replies in order.
 *
 * <p><b>Pipelining and order.</b> Every complete command in the input is decoded and run in one
 * pass; replies go into one output buffer that is written and flushed once per read batch (at
 * {@code channelReadComplete}), or sooner once it holds {@link #OUTPUT_FLUSH_BYTES}. A command
 * whose {@link io.ringkv.server.kv.KeyValueService} future is already complete (the common case for
 * the local service) is answered inline. One whose future completes later leaves a placeholder in
 * {@link #pending}; replies of later commands queue behind it (in buffers appended to the queue),
 * and when the head completes the queue drains in order on this event loop.
 *
 * <p><b>Effects in order.</b> Replies are in order, and so are effects: a command waits (the
 * connection stops decoding) while an earlier command of this connection on one of its keys is
 * still in flight, and a keyspace-wide reader (SCAN, DBSIZE) waits for every earlier command, so a
 * pipelined {@code SET k v; GET k} reads {@code v} even when the service answers asynchronously
 * (fsync per write, or a cluster). Commands on different keys still run concurrently, which is what
 * lets a pipeline of writes share one fsync.
 *
 * <p><b>Bounds and back-pressure.</b> Input is bounded by the decoder's limits. At most {@link
 * #PENDING_REPLIES_MAX} replies may wait; beyond that, or while the channel is not writable (the
 * client does not read its replies), the connection stops decoding and stops reading from the
 * socket until the queue drains or the channel becomes writable again, so neither queued replies
 * nor unread input grow without bound.
 *
 * <p><b>Closing.</b> A protocol error and QUIT answer, stop reading, and close once every earlier
 * reply has been written. Server shutdown does the same.
 *
 * <p>Not thread-safe: every method runs on the channel's event loop; futures completing on other
 * threads hop back to it.
 */
final class RespConnection extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger(RespConnection.class.getName());

  /** Replies that may wait behind an incomplete one before the connection stops reading. */
  static final int PENDING_REPLIES_MAX = 1024;

  /** Output held before it is written to the channel within one read batch. */
  static final int OUTPUT_FLUSH_BYTES = 64 * 1024;

  static final byte[] MAX_CLIENTS_REPLY =
      "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);

  private static final String FRONT_END = "resp";

  private final RespContext server;
  private final RespDecoder decoder;
  private final RespWriter writer;

  /** Placeholders ({@link PendingReply}) and replies queued behind them ({@link ByteBuf}). */
  private final ArrayDeque<Object> pending = new ArrayDeque<>();

  private final Runnable drainTask = this::drainPending;
  private final BiConsumer<Object, Throwable> onLateCompletion = (result, failure) -> wake();

  private ChannelHandlerContext context;
  private ClientSession session;
  private ByteBuf input;
  private ByteBuf output;
  private boolean refused;
  private boolean closing;
  private boolean closeScheduled;
  private boolean paused;
  private boolean processing;
  private boolean drainRequested;

  private Command currentCommand;
  private byte[][] currentArguments;
  private long currentStartNanos;
  private boolean currentDeferred;

  /**
   * The clock as the last command of this input batch was recorded, or 0: the next command of the
   * batch starts then instead of reading the clock again (one clock read per pipelined command
   * instead of two; a command's decoding counts towards it). Reset whenever a batch begins.
   */
  private long batchClockNanos;

  /** The command whose metrics series was resolved last, and that series (event loop only). */
  private String recordedCommand;

  private NodeMetrics.RequestSeries recordedSeries;

  /**
   * Figures for INFO counted here (and lookups by the {@link RespWriter}) by this connection's
   * event loop and added to the listener's shared counters in one step before any reply leaves
   * ({@link #flushOutput}), before INFO reads them, and on close: two atomic additions per command
   * were 10% of the event loop's instructions in a pipelined GET profile (2026-11-22). A client
   * never sees a reply whose command is not yet counted.
   */
  private long commandsUncounted;

  /**
   * Keys of this connection's commands whose replies are still queued, with their counts. By name
   * alone, whatever keyspace each went to: a command may wait for one on the same name in another
   * keyspace (KEYSPACE), which costs only concurrency, never order.
   */
  private final HashMap<ByteBuffer, Integer> inFlightKeys = new HashMap<>();

  /** A decoded command waiting for an earlier one on the same keys, or null. */
  private byte[][] heldCommand;

  private ReadOptions readOptions = ReadOptions.defaults();
  private final WriteOptions[] writeOptions = new WriteOptions[6];

  private static final ByteBuffer[] NO_KEYS = new ByteBuffer[0];

  /** A reply waiting for its future, with the keys its command touches. */
  private record PendingReply(
      CompletableFuture<?> future,
      ReplyRenderer<?> renderer,
      String command,
      boolean write,
      long startNanos,
      ByteBuffer[] keys) {}

  RespConnection(RespContext server) {
    this.server = server;
    this.decoder =
        new RespDecoder(
            server.limits.respBulkBytesMax(),
            server.limits.respArgumentsMax(),
            server.limits.respInlineBytesMax());
    this.writer = new RespWriter(server.counters);
    rebuildOptions(null, null, null);
  }

  // ---- what commands use ----

  ClientSession session() {
    return session;
  }

  RespContext server() {
    return server;
  }

  /** The writer for this command's reply, aimed at the right place in the reply order. */
  RespWriter out() {
    if (pending.isEmpty()) {
      return writer.target(output());
    }
    ByteBuf segment;
    if (pending.peekLast() instanceof ByteBuf tail) {
      segment = tail;
    } else {
      segment = context.alloc().buffer(256);
      pending.addLast(segment);
    }
    return writer.target(segment);
  }

  /**
   * Replies with {@code renderer} once {@code future} completes: at once if it already has and
   * nothing is queued, otherwise in order after the replies queued before it.
   */
  <T> void reply(CompletableFuture<T> future, ReplyRenderer<T> renderer) {
    // One reading of isDone: a future completing between two readings must still wake the queue.
    boolean done = future.isDone();
    if (pending.isEmpty() && done) {
      render(future, renderer, isWrite(currentCommand), writer.target(output()));
      return;
    }
    currentDeferred = true;
    ByteBuffer[] keys = keysOf(currentCommand, currentArguments);
    for (ByteBuffer key : keys) {
      inFlightKeys.merge(key, 1, Integer::sum);
    }
    pending.addLast(
        new PendingReply(
            future,
            renderer,
            currentCommand.name(),
            isWrite(currentCommand),
            currentStartNanos,
            keys));
    if (!done) {
      future.whenComplete(onLateCompletion);
    }
  }

  ReadOptions readOptions() {
    return readOptions;
  }

  WriteOptions writeOptions(WriteOptions.Condition condition, boolean returnPrevious) {
    return writeOptions[condition.ordinal() * 2 + (returnPrevious ? 1 : 0)];
  }

  /**
   * Sets the consistency levels this connection's reads and writes carry (CONSISTENCY); null for
   * the keyspace's default. The caller has checked that {@code read} allows reads.
   */
  void consistency(ConsistencyLevel read, ConsistencyLevel write) {
    session.readConsistency = read;
    session.writeConsistency = write;
    rebuildOptions(read, write, session.keyspace);
  }

  /**
   * Sets the keyspace this connection's reads and writes go to (KEYSPACE); null for {@code
   * default}. Commands already dispatched keep the keyspace they were sent with.
   */
  void keyspace(String name) {
    session.keyspace = name;
    rebuildOptions(session.readConsistency, session.writeConsistency, name);
  }

  void protocol(int version) {
    session.protocol = version;
    writer.protocol(version);
  }

  /** Answers what is queued, then closes (QUIT, protocol errors, shutdown). */
  void closeAfterReplies() {
    if (closing) {
      return;
    }
    closing = true;
    context.channel().config().setAutoRead(false);
    releaseInput();
  }

  /**
   * Builds once, per level or keyspace change, the options every command of this connection passes
   * on.
   */
  private void rebuildOptions(ConsistencyLevel read, ConsistencyLevel write, String keyspace) {
    readOptions =
        read == null && keyspace == null ? ReadOptions.defaults() : new ReadOptions(read, keyspace);
    for (WriteOptions.Condition condition : WriteOptions.Condition.values()) {
      WriteOptions plain = new WriteOptions(write, condition, false, 0, keyspace, null);
      writeOptions[condition.ordinal() * 2] = plain;
      writeOptions[condition.ordinal() * 2 + 1] = plain.returningPrevious();
    }
  }

  // ---- Netty events ----

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.context = ctx;
    ServerCounters counters = server.counters;
    if (counters.connectedClients.incrementAndGet() > server.listener.maxConnections()) {
      counters.connectedClients.decrementAndGet();
      counters.connectionRejected();
      refused = true;
      ctx.writeAndFlush(Unpooled.wrappedBuffer(MAX_CLIENTS_REPLY))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    counters.connectionReceived();
    session =
        new ClientSession(
            server.nextClientId(),
            address(ctx.channel().remoteAddress()),
            address(ctx.channel().localAddress()),
            System.nanoTime());
    session.authenticated = !server.passwordRequired();
    server.sessions.put(session.id, session);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    ByteBuf data = (ByteBuf) message;
    if (refused || closing) {
      data.release();
      return;
    }
    server.counters.netInput(data.readableBytes());
    input =
        input == null
            ? data
            : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), input, data);
    processInput();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    flushOutput();
    if (input != null) {
      if (!input.isReadable()) {
        releaseInput();
      } else {
        input.discardSomeReadBytes();
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      maybeResume();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset or broken connection: nothing to answer, nobody to tell.
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseInput();
    if (output != null) {
      output.release();
      output = null;
    }
    for (Object entry : pending) {
      if (entry instanceof ByteBuf segment) {
        segment.release();
      }
    }
    pending.clear();
    inFlightKeys.clear();
    heldCommand = null;
    publishCounters();
    if (!refused && session != null) {
      server.sessions.remove(session.id);
      server.counters.connectedClients.decrementAndGet();
    }
  }

  /** Called by the server on shutdown, on this connection's event loop. */
  void shutdown() {
    if (context == null || refused) {
      return;
    }
    closeAfterReplies();
    flushOutput();
  }

  // ---- input ----

  private void processInput() {
    if (processing) {
      return;
    }
    processing = true;
    batchClockNanos = 0;
    try {
      while (!closing
          && !paused
          && (heldCommand != null || (input != null && input.isReadable()))) {
        byte[][] command;
        if (heldCommand != null) {
          command = heldCommand;
          heldCommand = null;
        } else {
          try {
            command = decoder.decode(input);
          } catch (RespProtocolException e) {
            out().error(e.getMessage());
            closeAfterReplies();
            break;
          }
        }
        if (command == null) {
          break;
        }
        if (command.length == 0) {
          continue;
        }
        if (!pending.isEmpty() && mustWait(command)) {
          heldCommand = command;
          paused = true;
          context.channel().config().setAutoRead(false);
          break;
        }
        dispatch(command);
        if (output != null && output.readableBytes() >= OUTPUT_FLUSH_BYTES) {
          flushOutput();
        }
        if (pending.size() >= PENDING_REPLIES_MAX || !context.channel().isWritable()) {
          paused = true;
          context.channel().config().setAutoRead(false);
        }
      }
    } finally {
      processing = false;
    }
    if (drainRequested) {
      drainRequested = false;
      drainPending();
    }
  }

  private void dispatch(byte[][] arguments) {
    long startNanos = batchClockNanos != 0 ? batchClockNanos : System.nanoTime();
    commandsUncounted++;
    Command command = server.commands.lookup(arguments[0]);
    if (command == null) {
      out().error(unknownCommand(arguments));
      record("unknown", startNanos, true);
      return;
    }
    if (!command.subcommands().isEmpty() && arguments.length >= 2) {
      Command subcommand = command.subcommand(arguments[1]);
      if (subcommand == null) {
        out()
            .error(
                "ERR unknown subcommand '"
                    + Arguments.text(arguments[1], 128)
                    + "'. Try "
                    + command.containerName()
                    + " HELP.");
        record(command.name(), startNanos, true);
        return;
      }
      command = subcommand;
    }
    if (!command.acceptsArgumentCount(arguments.length)) {
      out().error(CommandError.arity(command.name()).getMessage());
      record(command.name(), startNanos, true);
      return;
    }
    if (!session.authenticated && !command.noAuth()) {
      out().error("NOAUTH Authentication required.");
      record(command.name(), startNanos, true);
      return;
    }
    session.lastCommand = command.name();
    session.lastCommandNanos = startNanos;
    currentCommand = command;
    currentArguments = arguments;
    currentStartNanos = startNanos;
    currentDeferred = false;
    writer.resetErrorFlag();
    try {
      command.handler().execute(this, arguments);
    } catch (CommandError e) {
      out().error(e.getMessage());
    } catch (KvException e) {
      out().error(errorLine(e, isWrite(command)));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "command " + command.name() + " failed", e);
      out().error("ERR internal error running '" + command.name() + "': " + e);
    }
    if (!currentDeferred) {
      record(command.name(), startNanos, writer.errorWritten());
    } else {
      batchClockNanos = 0;
    }
  }

  /**
   * Adds what this connection counted to the listener's counters (see {@link #commandsUncounted}).
   */
  void publishCounters() {
    if (commandsUncounted != 0) {
      server.counters.commandsProcessed(commandsUncounted);
      commandsUncounted = 0;
    }
    writer.publishCounters();
  }

  /**
   * Whether {@code arguments} must wait for earlier commands: it touches a key an in-flight command
   * of this connection touches, or it reads or writes the whole keyspace while anything is in
   * flight. Called only when replies are queued.
   */
  private boolean mustWait(byte[][] arguments) {
    Command command = server.commands.lookup(arguments[0]);
    if (command == null) {
      return false;
    }
    if (!command.subcommands().isEmpty() && arguments.length >= 2) {
      command = command.subcommand(arguments[1]);
      if (command == null) {
        return false;
      }
    }
    if (command.firstKey() > 0) {
      for (ByteBuffer key : keysOf(command, arguments)) {
        if (inFlightKeys.containsKey(key)) {
          return true;
        }
      }
      return false;
    }
    return command.flags().contains("readonly") || command.flags().contains("write");
  }

  /** The key arguments of a command, from its first key, last key and step. */
  static ByteBuffer[] keysOf(Command command, byte[][] arguments) {
    int first = command.firstKey();
    if (first <= 0 || first >= arguments.length) {
      return NO_KEYS;
    }
    int last = command.lastKey() < 0 ? arguments.length + command.lastKey() : command.lastKey();
    last = Math.min(last, arguments.length - 1);
    int step = Math.max(1, command.step());
    ByteBuffer[] keys = new ByteBuffer[(last - first) / step + 1];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = ByteBuffer.wrap(arguments[first + i * step]);
    }
    return keys;
  }

  private void record(String command, long startNanos, boolean error) {
    long nowNanos = System.nanoTime();
    batchClockNanos = nowNanos;
    // Command names are constants of the command table, so a pipeline of one command resolves its
    // series once: an identity check instead of two map lookups per request.
    if (command != recordedCommand) {
      recordedSeries = server.metrics.requestSeries(FRONT_END, command);
      recordedCommand = command;
    }
    recordedSeries.record(nowNanos - startNanos, error);
  }

  /** Redis' wording, arguments quoted up to 128 characters in all. */
  static String unknownCommand(byte[][] arguments) {
    StringBuilder quoted = new StringBuilder();
    for (int i = 1; i < arguments.length && quoted.length() < 128; i++) {
      quoted.append('\'').append(Arguments.text(arguments[i], 128 - quoted.length())).append("' ");
    }
    return "ERR unknown command '"
        + Arguments.text(arguments[0], 128)
        + "', with args beginning with: "
        + quoted;
  }

  // ---- output ----

  private ByteBuf output() {
    if (output == null) {
      output = context.alloc().ioBuffer();
    }
    return output;
  }

  @SuppressWarnings("unchecked")
  private <T> void render(
      CompletableFuture<T> future, ReplyRenderer<T> renderer, boolean write, RespWriter out) {
    switch (future.state()) {
      case SUCCESS -> {
        try {
          renderer.render(future.resultNow(), out);
        } catch (CommandError e) {
          out.error(e.getMessage());
        }
      }
      case FAILED -> out.error(errorLine(future.exceptionNow(), write));
      default -> out.error("ERR the request was cancelled");
    }
  }

  /** Whether {@code command} writes, so that a timeout or failure of it is indeterminate. */
  private static boolean isWrite(Command command) {
    return command.flags().contains("write");
  }

  /**
   * The error reply for a failed service call: an upper-case code, then the message (see
   * docs/api/redis.md). A write that timed out or failed says that it may or may not have applied.
   */
  static String errorLine(Throwable failure, boolean write) {
    if (failure instanceof CompletionException && failure.getCause() != null) {
      failure = failure.getCause();
    }
    if (failure instanceof KvException e) {
      return switch (e.kind()) {
        case INVALID_REQUEST -> "ERR " + e.getMessage();
        case UNAVAILABLE -> "UNAVAILABLE " + e.getMessage();
        case TIMEOUT -> "TIMEOUT " + e.getMessage() + indeterminate(write);
        case FAILED -> "FAILED " + e.getMessage() + indeterminate(write);
        // Redis' own text, which client libraries match on.
        case WRONG_TYPE -> "WRONGTYPE Operation against a key holding the wrong kind of value";
        case CONFLICT, NO_SUCH_KEYSPACE -> "ERR " + e.getMessage();
      };
    }
    if (failure instanceof CommandError e) {
      return e.getMessage();
    }
    LOG.log(System.Logger.Level.WARNING, "a request failed unexpectedly", failure);
    return "ERR internal error: " + failure;
  }

  private static String indeterminate(boolean write) {
    return write ? "; the write may or may not have been applied" : "";
  }

  /** A future completed, maybe on another thread: drain on this connection's event loop. */
  private void wake() {
    EventExecutor loop = context.executor();
    if (loop.inEventLoop()) {
      drainPending();
    } else {
      loop.execute(drainTask);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void drainPending() {
    if (processing) {
      // A future completed on this loop while a command runs: drain after the pass, so that the
      // running command's reply is not overtaken.
      drainRequested = true;
      return;
    }
    if (!context.channel().isActive()) {
      return;
    }
    while (!pending.isEmpty()) {
      Object head = pending.peekFirst();
      if (head instanceof PendingReply reply) {
        if (!reply.future().isDone()) {
          break;
        }
        pending.pollFirst();
        writer.resetErrorFlag();
        render(
            (CompletableFuture) reply.future(),
            (ReplyRenderer) reply.renderer(),
            reply.write(),
            writer.target(output()));
        record(reply.command(), reply.startNanos(), writer.errorWritten());
        for (ByteBuffer key : reply.keys()) {
          inFlightKeys.computeIfPresent(key, (k, count) -> count == 1 ? null : count - 1);
        }
      } else {
        ByteBuf segment = (ByteBuf) pending.pollFirst();
        output().writeBytes(segment);
        segment.release();
      }
    }
    flushOutput();
    maybeResume();
  }

  private void maybeResume() {
    if (!paused
        || closing
        || pending.size() >= PENDING_REPLIES_MAX
        || !context.channel().isWritable()) {
      return;
    }
    if (heldCommand != null && !pending.isEmpty() && mustWait(heldCommand)) {
      return;
    }
    paused = false;
    processInput();
    flushOutput();
    if (!paused && !closing) {
      context.channel().config().setAutoRead(true);
    }
  }

  private void flushOutput() {
    publishCounters();
    if (output != null && output.isReadable()) {
      server.counters.netOutput(output.readableBytes());
      context.writeAndFlush(output, context.voidPromise());
      output = null;
    }
    if (closing && pending.isEmpty() && !closeScheduled) {
      closeScheduled = true;
      context.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void releaseInput() {
    if (input != null) {
      input.release();
      input = null;
    }
  }

  private static String address(java.net.SocketAddress address) {
    if (address instanceof java.net.InetSocketAddress inet) {
      return inet.getAddress().getHostAddress() + ":" + inet.getPort();
    }
    return String.valueOf(address);
  }
}
