package io.ringkv.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shape of refusal: each message names the option, the value, where it came from and what is
 * allowed; unknown options suggest the nearest known one.
 */
class ConfigValidationTest {
  @TempDir Path directory;

  private Path yaml(String text) throws IOException {
    return Files.writeString(directory.resolve("ringkv.yaml"), text);
  }

  private List<String> fileErrors(String text) throws IOException {
    Path file = yaml(text);
    return ConfigErrors.of(() -> ConfigLoader.load(file, Map.of(), List.of()));
  }

  private static List<String> setErrors(String... sets) {
    return ConfigErrors.of(() -> ConfigLoader.fromSets(sets));
  }

  // ------------------------------------------------------------------ values out of range

  @Test
  void port_outOfRange_namesTheFieldTheValueAndTheRange() {
    assertThat(setErrors("resp.port=70000"))
        .containsExactly("resp.port is '70000' (from --set); allowed: an integer from 0 to 65535");
  }

  @Test
  void port_outOfRangeInTheFile_namesTheFileAndLine() throws IOException {
    Path file = directory.resolve("ringkv.yaml");
    assertThat(fileErrors("# ports\nhttp:\n  enabled: true\n  port: -1\n"))
        .containsExactly(
            "http.port is -1 (in " + file + " line 4); allowed: an integer from 0 to 65535");
  }

  @Test
  void size_notPositive_isRefusedWithTheRangeInUnits() {
    assertThat(setErrors("limits.value_bytes_max=0"))
        .containsExactly(
            "limits.value_bytes_max is '0' (from --set); allowed: a size in bytes from 1 to 128"
                + " MiB, written as a number or with a unit (B, KiB, MiB, GiB, TiB), such as"
                + " 64MiB");
  }

  @Test
  void size_belowTheEngineMinimum_namesTheMinimum() {
    assertThat(setErrors("storage.memtable_bytes=1KiB"))
        .singleElement()
        .asString()
        .startsWith(
            "storage.memtable_bytes is '1KiB' (from --set); allowed: a size in bytes from 64 KiB");
  }

  @Test
  void millis_unbounded_saysAtLeast() {
    assertThat(setErrors("storage.tombstone_grace_millis=-5"))
        .containsExactly(
            "storage.tombstone_grace_millis is '-5' (from --set); allowed: a duration in"
                + " milliseconds of at least 0");
  }

  // ------------------------------------------------------------------ values of the wrong type

  @Test
  void integer_givenText_namesTheExpectedType() {
    List<String> errors =
        ConfigErrors.of(
            () -> ConfigLoader.load(null, Map.of("RINGKV_RESP_PORT", "six"), List.of()));

    assertThat(errors)
        .containsExactly(
            "resp.port is 'six' (from environment variable RINGKV_RESP_PORT); allowed: an integer"
                + " from 0 to 65535");
  }

  @Test
  void integer_givenAFraction_isRefused() throws IOException {
    assertThat(fileErrors("resp:\n  max_connections: 2.5\n"))
        .singleElement()
        .asString()
        .startsWith("resp.max_connections is 2.5 (in ")
        .endsWith("; allowed: an integer from 1 to 1000000");
  }

  @Test
  void scalar_givenAMappingOrAList_isATypeError() throws IOException {
    Path file = directory.resolve("ringkv.yaml");
    assertThat(fileErrors("resp:\n  port:\n    number: 1\n  host: [a, b]\n"))
        .containsExactly(
            "resp.port is a mapping (in " + file + " line 2); allowed: an integer from 0 to 65535",
            "resp.host is a list (in "
                + file
                + " line 4); allowed: an IP address or host name (0.0.0.0 for every interface)");
  }

  @Test
  void section_givenAValue_saysItIsASection() throws IOException {
    Path file = directory.resolve("ringkv.yaml");
    assertThat(fileErrors("resp: 6379\n"))
        .containsExactly(
            "resp in "
                + file
                + " line 1 is a section, not a single value: put its options under it, indented"
                + " (enabled, host, port, max_connections, idle_timeout_millis, requirepass,"
                + " io_threads)");
  }

  @Test
  void choice_givenAnotherWord_listsTheChoices() {
    assertThat(setErrors("storage.fsync=always"))
        .containsExactly(
            "storage.fsync is 'always' (from --set); allowed: one of sync, periodic, none");
  }

  @Test
  void choice_ignoresCase() {
    assertThat(ConfigLoader.fromSets("storage.engine=RocksDB").storage().engine())
        .isEqualTo("rocksdb");
  }

  @Test
  void boolean_givenAnotherWord_saysTrueOrFalse() {
    assertThat(setErrors("grpc.enabled=maybe"))
        .containsExactly("grpc.enabled is 'maybe' (from --set); allowed: true or false");
  }

  @Test
  void nodeId_withASlash_isRefused() {
    assertThat(setErrors("node.id=../escape"))
        .containsExactly(
            "node.id is '../escape' (from --set); allowed: 1 to 64 letters, digits, '.', '_' or"
                + " '-', starting with a letter or digit");
  }

  @Test
  void required_givenNothing_isEmpty() throws IOException {
    assertThat(fileErrors("node:\n  data_directory:\n"))
        .singleElement()
        .asString()
        .startsWith("node.data_directory is empty (in ")
        .endsWith("; allowed: a file system path");
  }

  // ------------------------------------------------------------------ relations between options

  @Test
  void bulkLimit_smallerThanKeyPlusValue_namesBothSides() {
    assertThat(setErrors("limits.resp_bulk_bytes_max=1000"))
        .containsExactly(
            "limits.resp_bulk_bytes_max is 1000; it must be at least limits.key_bytes_max +"
                + " limits.value_bytes_max (1024 + 1048576 = 1049600), so that it holds the"
                + " largest key and value");
  }

  @Test
  void raisingTheValueLimit_alone_namesEveryLimitThatMustFollow() {
    assertThat(setErrors("limits.value_bytes_max=8MiB"))
        .extracting(problem -> problem.substring(0, problem.indexOf(" is ")))
        .containsExactly(
            "limits.resp_bulk_bytes_max",
            "limits.http_body_bytes_max",
            "limits.grpc_message_bytes_max");
  }

  @Test
  void raisingTheValueLimit_withItsCompanions_isAccepted() {
    NodeConfig config =
        ConfigLoader.fromSets(
            "limits.value_bytes_max=8MiB",
            "limits.resp_bulk_bytes_max=9MiB",
            "limits.http_body_bytes_max=9MiB",
            "limits.grpc_message_bytes_max=9MiB");

    assertThat(config.limits().valueBytesMax()).isEqualTo(8 << 20);
  }

  @Test
  void walSegment_smallerThanTheLargestWrite_isRefused() {
    assertThat(setErrors("storage.wal_segment_bytes=512KiB"))
        .containsExactly(
            "storage.wal_segment_bytes is 524288; it must be at least limits.key_bytes_max +"
                + " limits.value_bytes_max (1024 + 1048576 = 1049600), so that it holds the"
                + " largest key and value");
  }

  @Test
  void level0Triggers_outOfOrder_areRefused() {
    assertThat(
            setErrors(
                "storage.level0_compaction_trigger=10",
                "storage.level0_slowdown_trigger=8",
                "storage.level0_stop_trigger=6"))
        .containsExactly(
            "storage.level0_slowdown_trigger is 8; it must be at least"
                + " storage.level0_compaction_trigger (10)",
            "storage.level0_stop_trigger is 6; it must be at least"
                + " storage.level0_slowdown_trigger (8)");
  }

  @Test
  void twoEnabledFrontEnds_onOnePort_areRefused() {
    assertThat(setErrors("http.port=6379"))
        .containsExactly(
            "http.port is 6379, the same as resp.port; enabled front ends need distinct ports (0"
                + " picks a free one)");
  }

  @Test
  void disabledFrontEnd_orPortZero_mayShareAPort() {
    ConfigLoader.fromSets("http.port=6379", "http.enabled=false");
    ConfigLoader.fromSets("resp.port=0", "http.port=0", "grpc.port=0");
  }

  @Test
  void portOffset_pastTheLastPort_isRefused() {
    assertThat(ConfigErrors.of(() -> ConfigLoader.fromSets("grpc.port=65535").withPortOffset(1)))
        .containsExactly("grpc.port 65535 moved by 1 is 65536; allowed: 1 to 65535");
  }

  // ------------------------------------------------------------------ unknown options

  @Test
  void unknownOption_inTheFile_suggestsTheNearest() throws IOException {
    Path file = directory.resolve("ringkv.yaml");
    assertThat(fileErrors("resp:\n  enabled: true\n  prot: 6380\n"))
        .containsExactly(
            "unknown option 'resp.prot' in " + file + " line 3 (did you mean 'resp.port'?)");
  }

  @Test
  void unknownOption_fromSet_suggestsTheNearest() {
    assertThat(setErrors("storage.fsynk=sync"))
        .containsExactly(
            "unknown option 'storage.fsynk' from --set (did you mean 'storage.fsync'?)");
  }

  @Test
  void unknownOption_fromTheEnvironment_suggestsTheNearest() {
    List<String> errors =
        ConfigErrors.of(
            () -> ConfigLoader.load(null, Map.of("RINGKV_RESP_MAX_CONECTIONS", "5"), List.of()));

    assertThat(errors)
        .containsExactly(
            "unknown option 'resp.max_conections' from environment variable"
                + " RINGKV_RESP_MAX_CONECTIONS (did you mean 'resp.max_connections'?)");
  }

  @Test
  void unknownOption_inTheWrongSection_suggestsEverySectionWithThatKey() {
    assertThat(setErrors("port=6380"))
        .containsExactly(
            "unknown option 'port' from --set (did you mean 'resp.port', 'http.port' or"
                + " 'grpc.port'?)");
  }

  @Test
  void unknownOption_misspeltSection_suggestsTheRightSection() throws IOException {
    assertThat(fileErrors("rsp:\n  port: 1\n"))
        .singleElement()
        .asString()
        .startsWith("unknown option 'rsp.port' in ")
        .endsWith("(did you mean 'resp.port'?)");
  }

  @Test
  void unknownOption_farFromEveryName_listsTheSectionsKeys() {
    assertThat(setErrors("resp.tls_certificate=x"))
        .containsExactly(
            "unknown option 'resp.tls_certificate' from --set (section resp takes: enabled, host,"
                + " port, max_connections, idle_timeout_millis, requirepass, io_threads)");
  }

  @Test
  void unknownOption_inNoSection_listsTheSections() {
    assertThat(setErrors("wombat.qqq=a,b"))
        .containsExactly(
            "unknown option 'wombat.qqq' from --set (sections are: node, cluster, replication,"
                + " hints, storage, resp, http, grpc, internode, limits)");
  }

  @Test
  void unknownOption_differentCase_suggestsTheLowerCaseName() {
    assertThat(setErrors("Resp.Port=1"))
        .containsExactly("unknown option 'Resp.Port' from --set (did you mean 'resp.port'?)");
  }

  // ------------------------------------------------------------------ bad files and flags

  @Test
  void everyProblem_isReportedAtOnce() throws IOException {
    assertThat(fileErrors("resp:\n  port: x\n  prot: 1\nstorage:\n  fsync: never\n")).hasSize(3);
  }

  @Test
  void invalidYaml_namesTheLine() throws IOException {
    assertThat(fileErrors("resp:\n  port: 1\n   host: [\n"))
        .singleElement()
        .asString()
        .startsWith(
            "config file " + directory.resolve("ringkv.yaml") + " is not valid YAML at line");
  }

  @Test
  void duplicateKey_isRefused() throws IOException {
    assertThat(fileErrors("resp:\n  port: 1\n  port: 2\n"))
        .singleElement()
        .asString()
        .contains("is not valid YAML")
        .contains("Duplicate field 'port'");
  }

  @Test
  void topLevelList_isRefused() throws IOException {
    assertThat(fileErrors("- resp\n- http\n"))
        .singleElement()
        .asString()
        .endsWith(
            " must hold a mapping of sections (node, cluster, replication, hints, storage, resp,"
                + " http, grpc, internode, limits), not a list");
  }

  @Test
  void missingFile_isRefused() {
    Path missing = directory.resolve("missing.yaml");

    assertThat(ConfigErrors.of(() -> ConfigLoader.load(missing, Map.of(), List.of())))
        .containsExactly("config file " + missing + " does not exist");
  }

  @Test
  void setWithoutEquals_isRefused() {
    assertThat(setErrors("resp.port"))
        .containsExactly("--set 'resp.port' is not key=value (such as --set resp.port=6380)");
  }

  @Test
  void secret_isNeverEchoed() throws IOException {
    assertThat(fileErrors("resp:\n  requirepass: [hunter2]\n"))
        .singleElement()
        .asString()
        .startsWith("resp.requirepass is a list (in ")
        .doesNotContain("hunter2");
  }
}
