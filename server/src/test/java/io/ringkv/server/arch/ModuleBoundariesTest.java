package io.ringkv.server.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The arrows between ringkv's modules (DESIGN.md, "Layout"): they point down the list only where
 * they must. Maven's dependency graph already keeps a module from seeing what it does not depend
 * on; these rules also pin which third-party libraries each layer may use, so that, for example,
 * protocol code never grows a Netty or gRPC dependency.
 *
 * <p>The server module's test classpath holds every module but sim and bench, which sit above it.
 */
class ModuleBoundariesTest {

  private static JavaClasses ringkv;

  @BeforeAll
  static void importClasses() {
    ringkv =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ringkv");
  }

  @Test
  void common_dependsOnlyOnTheJdk() {
    classes()
        .that()
        .resideInAPackage("io.ringkv.common..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "io.ringkv.common..")
        .check(ringkv);
  }

  @Test
  void storage_dependsOnNothingOfOursButCommon() {
    classes()
        .that()
        .resideInAPackage("io.ringkv.storage..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "io.ringkv.common..",
            "io.ringkv.storage..",
            "com.github.benmanes.caffeine..",
            "net.jpountz..",
            "org.rocksdb..")
        .allowEmptyShould(true)
        .check(ringkv);
  }

  @Test
  void raft_dependsOnNothingOfOursButCommon() {
    classes()
        .that()
        .resideInAPackage("io.ringkv.raft..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "io.ringkv.common..", "io.ringkv.raft..")
        .allowEmptyShould(true)
        .check(ringkv);
  }

  @Test
  void cluster_usesOnlyCommonStorageAndRaft() {
    classes()
        .that()
        .resideInAPackage("io.ringkv.cluster..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "io.ringkv.common..",
            "io.ringkv.storage..",
            "io.ringkv.raft..",
            "io.ringkv.cluster..")
        .allowEmptyShould(true)
        .check(ringkv);
  }

  @Test
  void client_knowsNoServerSidePart() {
    noClasses()
        .that()
        .resideInAPackage("io.ringkv.client..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.ringkv.storage..", "io.ringkv.raft..", "io.ringkv.cluster..", "io.ringkv.server..")
        .allowEmptyShould(true)
        .check(ringkv);
  }

  @Test
  void lowerModules_neverReachUpToTheServer() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.ringkv.common..", "io.ringkv.storage..", "io.ringkv.raft..", "io.ringkv.cluster..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.ringkv.server..", "io.ringkv.client..")
        .allowEmptyShould(true)
        .check(ringkv);
  }
}
