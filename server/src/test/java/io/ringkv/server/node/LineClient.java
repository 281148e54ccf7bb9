package io.ringkv.server.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A client of {@link LineFrontEnd}: one request, one answer line. */
final class LineClient implements AutoCloseable {
  private final Socket socket;
  private final BufferedReader in;
  private final PrintWriter out;

  LineClient(InetSocketAddress address) throws IOException {
    socket = new Socket();
    socket.connect(address, 10_000);
    socket.setSoTimeout(30_000);
    in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
  }

  String request(String line) throws IOException {
    out.println(line);
    String answer = in.readLine();
    if (answer == null) {
      throw new IOException("connection closed before the answer to " + line);
    }
    return answer;
  }

  void put(String key, String value) throws IOException {
    String answer = request("PUT " + key + " " + value);
    if (!answer.equals("OK")) {
      throw new IOException("PUT " + key + " answered " + answer);
    }
  }

  /** The value, or null when absent. */
  String get(String key) throws IOException {
    String answer = request("GET " + key);
    if (answer.equals("NIL")) {
      return null;
    }
    if (!answer.startsWith("VALUE ")) {
      throw new IOException("GET " + key + " answered " + answer);
    }
    return answer.substring("VALUE ".length());
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
