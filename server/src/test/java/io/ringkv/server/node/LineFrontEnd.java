package io.ringkv.server.node;

import io.ringkv.server.FrontEnd;
import io.ringkv.server.config.FrontEndKind;
import io.ringkv.server.config.ListenerConfig;
import io.ringkv.server.kv.KeyValueService;
import io.ringkv.server.kv.Mutation;
import io.ringkv.server.kv.ReadOptions;
import io.ringkv.server.kv.Versioned;
import io.ringkv.server.kv.WriteOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tiny real front end for lifecycle tests, on plain sockets: one request per line, {@code PUT key
 * value} answers {@code OK}, {@code GET key} answers {@code VALUE value} or {@code NIL}, errors
 * answer {@code ERR message}. It takes the {@code resp} section's listener, so tests configure it
 * with {@code resp.*}. One virtual thread per connection; not for speed.
 */
final class LineFrontEnd implements FrontEnd {
  private final ListenerConfig listener;
  private final KeyValueService service;
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private ServerSocket server;
  private Thread acceptor;

  LineFrontEnd(ListenerConfig listener, KeyValueService service) {
    this.listener = listener;
    this.service = service;
  }

  /** The wiring of a node whose only front end is this one, in the {@code resp} slot. */
  static NodeWiring wiring() {
    return NodeWiring.none()
        .with(
            FrontEndKind.RESP,
            (config, service, metrics, cluster) ->
                new LineFrontEnd(config.resp().listener(), service));
  }

  @Override
  public String name() {
    return "line";
  }

  @Override
  public void start() throws IOException {
    server = new ServerSocket();
    try {
      server.bind(new InetSocketAddress(listener.host(), listener.port()));
    } catch (IOException e) {
      server.close();
      throw new IOException(
          "cannot listen on " + listener.host() + ":" + listener.port() + ": " + e.getMessage(), e);
    }
    acceptor = Thread.ofPlatform().name("line-accept").daemon().start(this::acceptLoop);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        connections.add(socket);
        Thread.ofVirtual().start(() -> serve(socket));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket;
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.println(answer(line));
      }
    } catch (IOException closed) {
      // The client went away or the front end is closing.
    } finally {
      connections.remove(socket);
    }
  }

  private String answer(String line) {
    String[] words = line.split(" ", 3);
    try {
      if (words.length == 3 && words[0].equals("PUT")) {
        service
            .write(bytes(words[1]), Mutation.put(bytes(words[2])), WriteOptions.defaults())
            .join();
        return "OK";
      }
      if (words.length == 2 && words[0].equals("GET")) {
        Versioned value = service.get(bytes(words[1]), ReadOptions.defaults()).join();
        return value.isPresent()
            ? "VALUE " + new String(value.value(), StandardCharsets.UTF_8)
            : "NIL";
      }
      return "ERR unknown request";
    } catch (CompletionException e) {
      return "ERR " + e.getCause().getMessage();
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public InetSocketAddress boundAddress() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  @Override
  public void close() {
    try {
      server.close();
      for (Socket socket : connections) {
        socket.close();
      }
      acceptor.join(Duration.ofSeconds(10));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
