package io.ringkv.server.resp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately simple RESP client over a plain socket, for sending exactly the bytes a test wants
 * (malformed frames, inline lines, binary keys) and reading replies as plain Java values: simple
 * strings as {@link String}, errors as {@link Error}, integers as {@link Long}, bulk strings as
 * {@code byte[]}, arrays and sets as {@link List}, maps as {@link Map}, nulls as null.
 */
final class RawRespClient implements AutoCloseable {
  /** An error reply. */
  record Error(String line) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawRespClient(InetSocketAddress address) throws IOException {
    this(address, 0);
  }

  /** A client whose socket receive buffer is {@code receiveBufferBytes} (0 for the default). */
  RawRespClient(InetSocketAddress address, int receiveBufferBytes) throws IOException {
    socket = new Socket();
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    socket.connect(address, 10_000);
    socket.setSoTimeout(10_000);
    in = new BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void send(String ascii) throws IOException {
    send(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Sends one command as a multibulk frame. */
  void command(byte[]... arguments) throws IOException {
    send(encode(arguments));
  }

  void command(String... arguments) throws IOException {
    byte[][] bytes = new byte[arguments.length][];
    for (int i = 0; i < arguments.length; i++) {
      bytes[i] = arguments[i].getBytes(StandardCharsets.UTF_8);
    }
    command(bytes);
  }

  /** Sends a command and reads its reply. */
  Object call(String... arguments) throws IOException {
    command(arguments);
    return read();
  }

  Object call(byte[]... arguments) throws IOException {
    command(arguments);
    return read();
  }

  static byte[] encode(byte[]... arguments) {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.writeBytes(("*" + arguments.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (byte[] argument : arguments) {
      frame.writeBytes(("$" + argument.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      frame.writeBytes(argument);
      frame.writeBytes(new byte[] {'\r', '\n'});
    }
    return frame.toByteArray();
  }

  /** Reads one reply. */
  Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("the server closed the connection");
    }
    String line = readLine();
    return switch (type) {
      case '+' -> line;
      case '-' -> new Error(line);
      case ':' -> Long.parseLong(line);
      case '$', '=' -> {
        int length = Integer.parseInt(line);
        if (length < 0) {
          yield null;
        }
        byte[] data = in.readNBytes(length);
        if (data.length != length || in.read() != '\r' || in.read() != '\n') {
          throw new IOException("bad bulk string");
        }
        yield data;
      }
      case '*', '~' -> {
        int count = Integer.parseInt(line);
        if (count < 0) {
          yield null;
        }
        List<Object> elements = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          elements.add(read());
        }
        yield elements;
      }
      case '%' -> {
        int count = Integer.parseInt(line);
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
          Object key = read();
          map.put(
              key instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : key,
              read());
        }
        yield map;
      }
      case '_' -> null;
      default -> throw new IOException("unexpected reply type " + (char) type + line);
    };
  }

  /** Reads exactly {@code count} bytes, for tests that compare a reply's wire bytes. */
  byte[] readBytes(int count) throws IOException {
    byte[] data = in.readNBytes(count);
    if (data.length != count) {
      throw new EOFException("the server closed the connection after " + data.length + " bytes");
    }
    return data;
  }

  /** Whether the server closed the connection: the next read sees the end of the stream. */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketException e) {
      return true; // reset by peer
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the server closed the connection mid-line");
      }
      if (b == '\r') {
        if (in.read() != '\n') {
          throw new IOException("CR without LF");
        }
        return line.toString(StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
  }

  static String text(Object bulk) {
    return bulk == null ? null : new String((byte[]) bulk, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
