package io.ringkv.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NearestNamesTest {

  @Test
  void distance_countsInsertionsDeletionsSubstitutionsAndTranspositions() {
    assertThat(NearestNames.distance("port", "port")).isZero();
    assertThat(NearestNames.distance("prot", "port")).isEqualTo(1);
    assertThat(NearestNames.distance("por", "port")).isEqualTo(1);
    assertThat(NearestNames.distance("portt", "port")).isEqualTo(1);
    assertThat(NearestNames.distance("pord", "port")).isEqualTo(1);
    assertThat(NearestNames.distance("PORT", "port")).isZero();
    assertThat(NearestNames.distance("", "port")).isEqualTo(4);
    assertThat(NearestNames.distance("kitten", "sitting")).isEqualTo(3);
  }

  @Test
  void nearest_offersTheClosestNamesOnly() {
    List<String> known = List.of("resp.port", "resp.host", "http.port");

    assertThat(NearestNames.nearest("resp.prot", known)).containsExactly("resp.port");
    assertThat(NearestNames.nearest("resp.hots", known)).containsExactly("resp.host");
    assertThat(NearestNames.nearest("resp.pots", known)).containsExactly("resp.port", "resp.host");
  }

  @Test
  void nearest_offersNothingWhenEveryNameIsFar() {
    assertThat(NearestNames.nearest("xyz", List.of("resp.port", "http.host"))).isEmpty();
  }

  @Test
  void nearest_offersAtMostThreeOfEquallyNearNames() {
    List<String> known = List.of("a.bb", "a.bc", "a.bd", "a.be");

    assertThat(NearestNames.nearest("a.bx", known)).hasSize(NearestNames.SUGGESTIONS_MAX);
  }

  @Test
  void quotedList_readsAsASentence() {
    assertThat(NearestNames.quotedList(List.of("a"))).isEqualTo("'a'");
    assertThat(NearestNames.quotedList(List.of("a", "b"))).isEqualTo("'a' or 'b'");
    assertThat(NearestNames.quotedList(List.of("a", "b", "c"))).isEqualTo("'a', 'b' or 'c'");
  }
}
