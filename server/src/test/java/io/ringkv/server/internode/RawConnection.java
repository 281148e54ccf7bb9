package io.ringkv.server.internode;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A blocking socket that speaks (or breaks) the internode protocol by hand, using the production
 * codec, to play a misbehaving or scripted peer.
 */
final class RawConnection implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final InternodeCodec codec = new InternodeCodec(WireLimits.defaults());

  RawConnection(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout((int) Await.DEADLINE.toMillis());
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  static RawConnection connect(InetSocketAddress address) throws IOException {
    return new RawConnection(new Socket(address.getAddress(), address.getPort()));
  }

  void send(Frame frame) throws IOException {
    sendBytes(InternodeCodecTest.encoded(codec, frame));
  }

  void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Handshakes as {@code nodeId} of cluster {@code clusterName}; returns the answer. */
  Frame hello(String clusterName, String nodeId) throws IOException {
    send(Handshake.hello(clusterName, nodeId, 7000));
    return read();
  }

  /** Reads one frame (blocking up to the await deadline). */
  Frame read() throws IOException {
    int length = in.readInt();
    byte[] frame = new byte[length];
    in.readFully(frame);
    try {
      return codec.decode(Unpooled.wrappedBuffer(frame));
    } catch (DecoderException e) {
      throw new IOException("the transport sent a malformed frame", e);
    }
  }

  /** True once the other side has closed the connection (end of stream or a reset). */
  boolean awaitClosedByPeer() throws IOException {
    socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
    try {
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (EOFException | SocketException e) {
      return true; // reset
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
