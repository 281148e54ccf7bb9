package io.ringkv.server.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One TCP connection speaking HTTP/1.1 by hand, for what a client library hides or refuses: several
 * requests on one connection, pipelining, malformed request targets, and seeing the server close.
 * Reads responses framed by Content-Length (the server always sends it, or 204).
 */
final class RawHttpConnection implements AutoCloseable {
  static final int READ_TIMEOUT_MILLIS = 30_000;

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  /** A parsed response. Header names are lower case. */
  record Response(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  RawHttpConnection(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MILLIS);
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream());
  }

  static String get(String target) {
    return "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n";
  }

  static String put(String target, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return "PUT "
        + target
        + " HTTP/1.1\r\nHost: test\r\nContent-Length: "
        + bytes.length
        + "\r\n\r\n"
        + body;
  }

  void send(String requests) throws IOException {
    send(requests.getBytes(StandardCharsets.UTF_8));
  }

  void send(byte[] requests) throws IOException {
    out.write(requests);
    out.flush();
  }

  Response read() throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("the server closed the connection");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String header = line(); header != null && !header.isEmpty(); header = line()) {
      int colon = header.indexOf(':');
      headers.put(
          header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          header.substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    if (body.length != length) {
      throw new IOException("short body: " + body.length + " of " + length + " bytes");
    }
    return new Response(status, headers, body);
  }

  Response exchange(String request) throws IOException {
    send(request);
    return read();
  }

  /**
   * Whether the server has closed: the next read sees end of stream (waits at most the timeout).
   */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (java.net.SocketException e) {
      return true; // reset
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int length =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
