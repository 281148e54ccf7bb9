package io.ringkv.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.storage.fs.WritableFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogWriterTest {

  /** An in-memory file that counts calls and can be told to fail. */
  static final class CountingFile implements WritableFile {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final List<String> calls = new ArrayList<>();
    int writes;
    int syncs;
    boolean closed;
    boolean failWrites;
    boolean failSyncs;

    @Override
    public void write(ByteBuffer source) throws IOException {
      writes++;
      calls.add("write " + source.remaining());
      if (failWrites) {
        // A torn write: part of the bytes land, then the error.
        bytes.write(source.get());
        throw new IOException("injected write failure");
      }
      byte[] chunk = new byte[source.remaining()];
      source.get(chunk);
      bytes.writeBytes(chunk);
    }

    @Override
    public void sync() throws IOException {
      syncs++;
      calls.add("sync");
      if (failSyncs) {
        throw new IOException("injected fsync failure");
      }
    }

    @Override
    public long size() {
      return bytes.size();
    }

    @Override
    public void close() {
      closed = true;
      calls.add("close");
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void append_encodesTheDocumentedHeader() throws IOException {
    CountingFile file = new CountingFile();
    try (LogWriter writer = new LogWriter(file)) {
      writer.append(new byte[0], 0, 0);
      writer.append(utf8("xabcx"), 1, 3);
    }
    // Golden bytes from docs/format/wal.md: CRC32C(length, type, payload), length, type, payload.
    // The CRCs were computed independently (bitwise CRC-32C, polynomial 0x82F63B78).
    assertThat(HexFormat.of().formatHex(file.bytes.toByteArray()))
        .isEqualTo("b719f536" + "00000000" + "01" + "4f71340b" + "00000003" + "01" + "616263");
  }

  @Test
  void append_doesNoIo() {
    CountingFile file = new CountingFile();
    LogWriter writer = new LogWriter(file);
    writer.append(utf8("hello"), 0, 5);
    assertThat(file.calls).isEmpty();
    assertThat(writer.pendingBytes()).isEqualTo(LogFormat.HEADER_BYTES + 5);
    assertThat(writer.bytesWritten()).isZero();
  }

  @Test
  void flush_makesOneWriteCallPerGroup() throws IOException {
    CountingFile file = new CountingFile();
    LogWriter writer = new LogWriter(file);
    for (int i = 0; i < 100; i++) {
      writer.append(new byte[i], 0, i);
    }
    writer.flush();
    assertThat(file.writes).isEqualTo(1);
    for (int i = 0; i < 3; i++) {
      writer.append(new byte[10], 0, 10);
    }
    writer.flush();
    assertThat(file.writes).isEqualTo(2);
    assertThat(file.calls.get(1)).isEqualTo("write " + 3 * (LogFormat.HEADER_BYTES + 10));
    assertThat(file.syncs).isZero();
  }

  @Test
  void flush_withNothingPendingWritesNothing() throws IOException {
    CountingFile file = new CountingFile();
    LogWriter writer = new LogWriter(file);
    writer.flush();
    writer.append(new byte[1], 0, 1);
    writer.flush();
    writer.flush();
    assertThat(file.writes).isEqualTo(1);
  }

  @Test
  void flush_groupLargerThanTheInitialBufferIsStillOneWrite() throws IOException {
    CountingFile file = new CountingFile();
    LogWriter writer = new LogWriter(file);
    byte[] payload = new byte[LogWriter.BUFFER_BYTES_INITIAL];
    for (int i = 0; i < 3; i++) {
      payload[0] = (byte) i;
      writer.append(payload, 0, payload.length);
    }
    writer.flush();
    assertThat(file.writes).isEqualTo(1);
    assertThat(file.size()).isEqualTo(3L * (LogFormat.HEADER_BYTES + payload.length));
    // A huge group is given back after the flush; the writer keeps working at the small size.
    writer.append(new byte[5 << 20], 0, 5 << 20);
    writer.flush();
    writer.append(utf8("after"), 0, 5);
    writer.flush();
    assertThat(file.writes).isEqualTo(3);
    assertThat(writer.bytesWritten()).isEqualTo(file.size());
  }

  @Test
  void sync_flushesThenSyncs() throws IOException {
    CountingFile file = new CountingFile();
    LogWriter writer = new LogWriter(file);
    writer.append(utf8("a"), 0, 1);
    writer.append(utf8("b"), 0, 1);
    writer.sync();
    assertThat(file.calls).containsExactly("write " + 2 * (LogFormat.HEADER_BYTES + 1), "sync");
    writer.sync();
    assertThat(file.calls)
        .containsExactly("write " + 2 * (LogFormat.HEADER_BYTES + 1), "sync", "sync");
  }

  @Test
  void bytesWrittenAndPendingBytes_trackTheBuffer() throws IOException {
    CountingFile file = new CountingFile();
    LogWriter writer = new LogWriter(file);
    writer.append(new byte[100], 0, 100);
    writer.append(new byte[0], 0, 0);
    assertThat(writer.pendingBytes()).isEqualTo(2L * LogFormat.HEADER_BYTES + 100);
    assertThat(writer.bytesWritten()).isZero();
    writer.flush();
    assertThat(writer.pendingBytes()).isZero();
    assertThat(writer.bytesWritten()).isEqualTo(2L * LogFormat.HEADER_BYTES + 100);
    writer.append(new byte[7], 0, 7);
    assertThat(writer.pendingBytes()).isEqualTo(LogFormat.HEADER_BYTES + 7);
    writer.sync();
    assertThat(writer.bytesWritten())
        .isEqualTo(file.size())
        .isEqualTo(3L * LogFormat.HEADER_BYTES + 107);
  }

  @Test
  void append_rejectsARecordLongerThanTheMaximum() {
    LogWriter writer = new LogWriter(new CountingFile());
    assertThatThrownBy(() -> writer.append(new byte[0], 0, LogFormat.RECORD_BYTES_MAX + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("RECORD_BYTES_MAX");
    assertThatThrownBy(() -> writer.append(new byte[4], 2, 3))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(writer.pendingBytes()).isZero();
  }

  @Test
  void flush_failedWriteRefusesEveryLaterCall() {
    CountingFile file = new CountingFile();
    LogWriter writer = new LogWriter(file);
    writer.append(utf8("a"), 0, 1);
    file.failWrites = true;
    assertThatThrownBy(writer::flush)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("injected");
    file.failWrites = false;
    assertThatThrownBy(writer::flush)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("refuses further writes")
        .hasRootCauseMessage("injected write failure");
    assertThatThrownBy(writer::sync).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> writer.append(utf8("b"), 0, 1))
        .isInstanceOf(IllegalStateException.class);
    assertThat(file.writes).isEqualTo(1);
    assertThat(file.syncs).isZero();
  }

  @Test
  void sync_failedFsyncRefusesEveryLaterCall() {
    CountingFile file = new CountingFile();
    LogWriter writer = new LogWriter(file);
    writer.append(utf8("a"), 0, 1);
    file.failSyncs = true;
    assertThatThrownBy(writer::sync).isInstanceOf(IOException.class).hasMessageContaining("fsync");
    file.failSyncs = false;
    // LevelDB's rule: after a failed fsync the file's state is unknown; retrying could acknowledge
    // writes whose pages the kernel already dropped.
    assertThatThrownBy(writer::sync).isInstanceOf(IOException.class);
    assertThat(file.syncs).isEqualTo(1);
  }

  @Test
  void close_flushesDoesNotSyncAndClosesOnce() throws IOException {
    CountingFile file = new CountingFile();
    LogWriter writer = new LogWriter(file);
    writer.append(utf8("abc"), 0, 3);
    writer.close();
    writer.close();
    assertThat(file.calls).containsExactly("write " + (LogFormat.HEADER_BYTES + 3), "close");
    assertThatThrownBy(() -> writer.append(utf8("d"), 0, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void close_closesTheFileEvenWhenTheFlushFails() {
    CountingFile file = new CountingFile();
    LogWriter writer = new LogWriter(file);
    writer.append(utf8("abc"), 0, 3);
    file.failWrites = true;
    assertThatThrownBy(writer::close).isInstanceOf(IOException.class);
    assertThat(file.closed).isTrue();
  }
}
