package io.ringkv.server.replication;

import static io.ringkv.server.replication.TestCluster.CAUSAL;
import static io.ringkv.server.replication.TestCluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cluster.metadata.ConflictMode;
import io.ringkv.cluster.metadata.Keyspace;
import io.ringkv.common.ConsistencyLevel;
import io.ringkv.common.SystemClock;
import io.ringkv.server.kv.CausalValue;
import io.ringkv.server.kv.CausalWrite;
import io.ringkv.server.kv.ClusterKeyValueService;
import io.ringkv.server.kv.Mutation;
import io.ringkv.server.kv.ReadOptions;
import io.ringkv.server.kv.ScanCursor;
import io.ringkv.server.kv.ScanPage;
import io.ringkv.server.kv.Versioned;
import io.ringkv.server.kv.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyspaces are separate namespaces (docs/decisions/009-keyspace-in-stored-keys.md): the same user
 * key in two keyspaces is two stored objects, whatever the keyspaces' conflict modes, and a scan of
 * one keyspace never shows another's keys. Three in-process nodes, replication factor 3; writes at
 * ALL so that every replica holds them before the next step.
 */
class KeyspaceSeparationTest {
  private static final long WAIT_SECONDS = 30;

  /** A second last-write-wins keyspace beside {@code default}. */
  private static final String LWW_OTHER = "lww_other";

  /** A second causal keyspace beside {@link TestCluster#CAUSAL}. */
  private static final String CAUSAL_OTHER = "causal_other";

  @TempDir Path directory;
  private TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    Keyspace lww = Keyspace.defaultKeyspace(3);
    List<Keyspace> extra =
        List.of(
            new Keyspace(
                LWW_OTHER,
                lww.replication(),
                lww.readLevel(),
                lww.writeLevel(),
                false,
                ConflictMode.LWW),
            new Keyspace(
                CAUSAL_OTHER,
                lww.replication(),
                lww.readLevel(),
                lww.writeLevel(),
                false,
                ConflictMode.CAUSAL));
    cluster =
        new TestCluster(
            directory,
            3,
            23,
            ReplicationSettings.defaults(directory)
                .withReadRepairChance(0)
                .withTimeouts(2_000, 2_000),
            id -> SystemClock.INSTANCE,
            extra);
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  void sameKey_lwwAndCausalKeyspaces_holdIndependentValues() {
    put(1, "default", "k", "plain-1");
    causalPut(2, CAUSAL, "k", "causal-1");
    // The LWW write after the causal one was acknowledged and then dropped when they were one
    // stored object (the merge ranks causal cells above LWW ones); now each keeps its own.
    put(3, "default", "k", "plain-2");
    assertThat(text(get(1, "default", "k"))).isEqualTo("plain-2");
    assertThat(registerValues(2, CAUSAL, "k")).containsExactly("causal-1");
    assertThat(text(get(3, CAUSAL, "k"))).isEqualTo("causal-1");

    delete(2, "default", "k");
    assertThat(get(1, "default", "k").isPresent()).isFalse();
    assertThat(registerValues(3, CAUSAL, "k")).containsExactly("causal-1");

    // A counter in one keyspace and a plain value of the same key in another: no WRONGTYPE.
    put(1, "default", "hits", "not a number");
    await(
        service(2)
            .writeCausal(
                utf8("hits"),
                new CausalWrite.Increment(5),
                WriteOptions.defaults()
                    .withKeyspace(CAUSAL)
                    .withConsistency(ConsistencyLevel.ALL)));
    assertThat(text(get(3, CAUSAL, "hits"))).isEqualTo("5");
    assertThat(text(get(3, "default", "hits"))).isEqualTo("not a number");
  }

  @Test
  void sameKey_twoCausalKeyspaces_keepTheirOwnSiblingsAndContexts() {
    causalPut(1, CAUSAL, "k", "a1");
    byte[] stale = read(2, CAUSAL, "k").context();
    causalPut(1, CAUSAL_OTHER, "k", "b1");
    // Concurrent writes in CAUSAL make siblings there, and only there.
    causalWrite(1, CAUSAL, "k", new CausalWrite.Put(utf8("a2"), stale));
    causalWrite(2, CAUSAL, "k", new CausalWrite.Put(utf8("a3"), stale));
    assertThat(registerValues(3, CAUSAL, "k")).containsExactlyInAnyOrder("a2", "a3");
    assertThat(registerValues(3, CAUSAL_OTHER, "k")).containsExactly("b1");

    // A context of one keyspace's object says nothing about the other's.
    byte[] otherContext = read(1, CAUSAL_OTHER, "k").context();
    causalWrite(2, CAUSAL_OTHER, "k", new CausalWrite.Put(utf8("b2"), otherContext));
    assertThat(registerValues(3, CAUSAL_OTHER, "k")).containsExactly("b2");
    assertThat(registerValues(3, CAUSAL, "k")).containsExactlyInAnyOrder("a2", "a3");

    causalWrite(1, CAUSAL, "k", new CausalWrite.Delete(read(1, CAUSAL, "k").context()));
    assertThat(read(2, CAUSAL, "k")).isInstanceOf(CausalValue.Absent.class);
    assertThat(registerValues(2, CAUSAL_OTHER, "k")).containsExactly("b2");
  }

  @Test
  void sameKey_twoLwwKeyspaces_holdIndependentValues() {
    put(1, "default", "k", "d");
    put(2, LWW_OTHER, "k", "o");
    assertThat(text(get(3, "default", "k"))).isEqualTo("d");
    assertThat(text(get(3, LWW_OTHER, "k"))).isEqualTo("o");
    delete(1, LWW_OTHER, "k");
    assertThat(get(2, LWW_OTHER, "k").isPresent()).isFalse();
    assertThat(text(get(2, "default", "k"))).isEqualTo("d");
  }

  /**
   * Many keys of another keyspace lie between a keyspace's keys in token order; scans in both
   * directions of the tag order (default's tag 0 is below every other) show only their own, each
   * once, including a key both keyspaces hold. With a page of one, a call ends after {@code
   * SCAN_STEPS_MAX} steps on another keyspace's key: its cursor is a position, and the scan goes on
   * from it with nothing skipped or repeated.
   */
  @Test
  void scan_showsOnlyItsKeyspacesKeys_acrossManyKeysOfAnother() {
    Set<String> mine = new HashSet<>();
    Set<String> theirs = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      put(1 + i % 3, "default", "mine-" + i, "m");
      mine.add("mine-" + i);
    }
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      writes.add(
          service(1 + i % 3)
              .write(
                  utf8("theirs-" + i),
                  Mutation.put(utf8("t")),
                  WriteOptions.defaults()
                      .withKeyspace(LWW_OTHER)
                      .withConsistency(ConsistencyLevel.ALL)));
      theirs.add("theirs-" + i);
    }
    writes.forEach(KeyspaceSeparationTest::await);
    put(2, "default", "shared", "m");
    put(3, LWW_OTHER, "shared", "t");
    mine.add("shared");
    theirs.add("shared");

    for (int limit : new int[] {1, 5, 1_000}) {
      ScanRun ownRun = scanAll(1, "default", limit);
      assertThat(ownRun.keys())
          .as("default, limit " + limit)
          .containsExactlyInAnyOrderElementsOf(mine);
      ScanRun otherRun = scanAll(2, LWW_OTHER, limit);
      assertThat(otherRun.keys())
          .as(LWW_OTHER + ", limit " + limit)
          .containsExactlyInAnyOrderElementsOf(theirs);
      if (limit == 1) {
        assertThat(ownRun.cursors())
            .as("a call that ends on another keyspace's key resumes from a position")
            .anySatisfy(cursor -> assertThat(cursor).startsWith("p"));
      }
      for (String cursor : ownRun.cursors()) {
        assertThat(cursor)
            .as("a cursor never names another keyspace's key")
            .doesNotContain(hex("theirs"));
      }
    }
    assertThat(scanAll(3, CAUSAL, 10).keys()).isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  private record ScanRun(List<String> keys, List<String> cursors) {}

  /** Scans a keyspace to its end, passing each cursor through its client token as clients do. */
  private ScanRun scanAll(int node, String keyspace, int limit) {
    List<String> keys = new ArrayList<>();
    List<String> cursors = new ArrayList<>();
    ScanCursor cursor = ScanCursor.START;
    for (int call = 0; call < 10_000; call++) {
      ScanPage page =
          await(
              service(node)
                  .scan(
                      cursor, limit, new ReadOptions(ConsistencyLevel.ALL).withKeyspace(keyspace)));
      assertThat(page.entries().size()).isLessThanOrEqualTo(limit);
      for (ScanPage.Entry entry : page.entries()) {
        keys.add(new String(entry.key(), StandardCharsets.UTF_8));
      }
      if (page.next().end()) {
        return new ScanRun(keys, cursors);
      }
      cursors.add(page.next().toToken());
      cursor = ScanCursor.parse(page.next().toToken());
    }
    throw new AssertionError("the scan of " + keyspace + " did not end in 10000 calls");
  }

  private ClusterKeyValueService service(int node) {
    return cluster.node(node).service;
  }

  private void put(int node, String keyspace, String key, String value) {
    await(
        service(node)
            .write(
                utf8(key),
                Mutation.put(utf8(value)),
                WriteOptions.defaults()
                    .withKeyspace(keyspace)
                    .withConsistency(ConsistencyLevel.ALL)));
  }

  private void delete(int node, String keyspace, String key) {
    await(
        service(node)
            .write(
                utf8(key),
                Mutation.delete(),
                WriteOptions.defaults()
                    .withKeyspace(keyspace)
                    .withConsistency(ConsistencyLevel.ALL)));
  }

  private Versioned get(int node, String keyspace, String key) {
    return await(
        service(node).get(utf8(key), new ReadOptions(ConsistencyLevel.ALL).withKeyspace(keyspace)));
  }

  private void causalPut(int node, String keyspace, String key, String value) {
    causalWrite(node, keyspace, key, new CausalWrite.Put(utf8(value), null));
  }

  private void causalWrite(int node, String keyspace, String key, CausalWrite write) {
    await(
        service(node)
            .writeCausal(
                utf8(key),
                write,
                WriteOptions.defaults()
                    .withKeyspace(keyspace)
                    .withConsistency(ConsistencyLevel.ALL)));
  }

  private CausalValue read(int node, String keyspace, String key) {
    return await(
        service(node)
            .readCausal(utf8(key), new ReadOptions(ConsistencyLevel.ALL).withKeyspace(keyspace)));
  }

  private List<String> registerValues(int node, String keyspace, String key) {
    CausalValue value = read(node, keyspace, key);
    assertThat(value).isInstanceOf(CausalValue.Register.class);
    return ((CausalValue.Register) value).siblings().stream().map(s -> text(s.value())).toList();
  }

  private static String text(Versioned versioned) {
    assertThat(versioned.isPresent()).as("the key is present").isTrue();
    return text(versioned.value());
  }

  private static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  private static String hex(String text) {
    return java.util.HexFormat.of().formatHex(utf8(text));
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the request failed: " + e, e);
    }
  }
}
