package com.timereg.gateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParamsTest {
  private static final String NAME = "loadtests.paramsTest";

  @AfterEach
  void clear() {
    System.clearProperty(NAME);
  }

  @Test
  void unsetOrBlankPropertiesTakeTheDefault() {
    assertThat(Params.integer(NAME, 7, 1)).isEqualTo(7);
    System.setProperty(NAME, " ");
    assertThat(Params.string(NAME, "x")).isEqualTo("x");
    assertThat(Params.duration(NAME, Duration.ofSeconds(3))).hasSeconds(3);
  }

  @Test
  void durationsTakeUnitsAndBareNumbersAreSeconds() {
    assertThat(Params.parseDuration(NAME, "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Params.parseDuration(NAME, "30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Params.parseDuration(NAME, "5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Params.parseDuration(NAME, "1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Params.parseDuration(NAME, "12")).isEqualTo(Duration.ofSeconds(12));
  }

  @Test
  void badValuesStopTheRunNamingTheProperty() {
    System.setProperty(NAME, "ten");
    assertThatThrownBy(() -> Params.integer(NAME, 1, 1)).hasMessageContaining("-D" + NAME);
    assertThatThrownBy(() -> Params.duration(NAME, Duration.ZERO)).hasMessageContaining("-D" + NAME);
    assertThatThrownBy(() -> Params.flag(NAME, false)).hasMessageContaining("-D" + NAME);
    System.setProperty(NAME, "0");
    assertThatThrownBy(() -> Params.integer(NAME, 1, 1)).hasMessageContaining("at least 1");
    System.setProperty(NAME, "-1");
    assertThatThrownBy(() -> Params.decimal(NAME, 1)).hasMessageContaining("zero or positive");
  }

  @Test
  void aZeroDurationIsRefusedWhereARunNeedsTime() {
    System.setProperty(NAME, "0s");
    assertThat(Params.duration(NAME, Duration.ofSeconds(1))).isZero();
    assertThatThrownBy(() -> Params.duration(NAME, Duration.ofSeconds(1), true))
        .hasMessageContaining("-D" + NAME).hasMessageContaining("more than zero");
    System.setProperty(NAME, "1ms");
    assertThat(Params.duration(NAME, Duration.ofSeconds(1), true)).isEqualTo(Duration.ofMillis(1));
  }

  @Test
  void aPercentageAbove100IsRefusedNamingTheProperty() {
    // -DmaxFailedPct=150 was taken, and "at most 150 % of requests failed" cannot fail.
    System.setProperty(NAME, "150");
    assertThatThrownBy(() -> Params.percent(NAME, 1)).hasMessageContaining("-D" + NAME).hasMessageContaining("0 to 100");
    System.setProperty(NAME, "100");
    assertThat(Params.percent(NAME, 1)).isEqualTo(100.0);
    System.setProperty(NAME, "0.5");
    assertThat(Params.percent(NAME, 1)).isEqualTo(0.5);
  }

  @Test
  void anEndlessNumberIsRefusedNamingTheProperty() {
    // Double.parseDouble reads these; -DusersPerSec=Infinity would ask Gatling for endless users.
    for (String endless : new String[] {"Infinity", "1e400"}) {
      System.setProperty(NAME, endless);
      assertThatThrownBy(() -> Params.decimal(NAME, 1)).hasMessageContaining("-D" + NAME);
    }
  }

  @Test
  void aNegativeDurationIsRefusedNamingTheProperty() {
    System.setProperty(NAME, "-5s");
    assertThatThrownBy(() -> Params.duration(NAME, Duration.ZERO))
        .hasMessageContaining("-D" + NAME).hasMessageContaining("zero or positive");
    System.setProperty(NAME, "9999999999999999h");
    assertThatThrownBy(() -> Params.duration(NAME, Duration.ZERO)).hasMessageContaining("-D" + NAME);
  }

  @Test
  void aPropertyThatLooksLikeAMisspeltParameterStopsTheRun() {
    Params.integer("concurrencyOfParamsTest", 1, 1);
    try {
      System.setProperty("concurencyOfParamsTest", "32");
      assertThatThrownBy(Params::refuseMisspelt).hasMessageContaining("-DconcurencyOfParamsTest")
          .hasMessageContaining("did you mean -DconcurrencyOfParamsTest");
      System.clearProperty("concurencyOfParamsTest");
      // Each check is a simulation's: it reads its parameters first.
      Params.integer("concurrencyOfParamsTest", 1, 1);
      System.setProperty("ConcurrencyOfParamsTest", "32");
      assertThatThrownBy(Params::refuseMisspelt).hasMessageContaining("-DConcurrencyOfParamsTest");
      System.clearProperty("ConcurrencyOfParamsTest");
      // The parameter itself, names far from any parameter, and dotted names (Java's, Maven's) are fine.
      System.setProperty("concurrencyOfParamsTest", "32");
      System.setProperty("somethingElseEntirely", "1");
      System.setProperty("concurencyOfParamsTest.x", "1");
      Params.integer("concurrencyOfParamsTest", 1, 1);
      Params.refuseMisspelt();
    } finally {
      for (String name : new String[] {"concurencyOfParamsTest", "ConcurrencyOfParamsTest", "concurrencyOfParamsTest",
          "somethingElseEntirely", "concurencyOfParamsTest.x"}) {
        System.clearProperty(name);
      }
    }
  }

  @Test
  void eachSimulationsCheckKnowsOnlyItsOwnParameters() {
    // A first simulation in this JVM (the ITs run several) with a parameter pageViewsOfParamsTest.
    Params.integer("pageViewsOfParamsTest", 1, 1);
    Params.refuseMisspelt();
    // The next one calls its parameter pageViewOfParamsTest, and the operator types the first one's name:
    // in a JVM of its own the run stops; the first simulation's parameters must not make it pass unnoticed.
    try {
      Params.integer("pageViewOfParamsTest", 1, 1);
      System.setProperty("pageViewsOfParamsTest", "2");
      assertThatThrownBy(Params::refuseMisspelt).hasMessageContaining("-DpageViewsOfParamsTest")
          .hasMessageContaining("did you mean -DpageViewOfParamsTest");
    } finally {
      System.clearProperty("pageViewsOfParamsTest");
    }
  }
  @Test
  void anotherSimulationsParameterStopsTheRunInsteadOfBeingIgnored() {
    // ProxyThroughput's page is -Dpath; -Dpages (LegitimateTraffic's) would be ignored without a word.
    Params.integer("concurrencyOfParamsTest", 1, 1);
    try {
      System.setProperty("pages", "/api/reports");
      assertThatThrownBy(Params::refuseMisspelt).hasMessageContaining("-Dpages")
          .hasMessageContaining("other simulations").hasMessageContaining("concurrencyOfParamsTest");
      // A simulation that reads it is fine with it.
      Params.string("pages", "/");
      Params.refuseMisspelt();
    } finally {
      System.clearProperty("pages");
    }
  }

  @Test
  void theListOfAllParametersIsWhatTheSimulationsReadAndWhatTheReadmeLists() throws java.io.IOException {
    java.nio.file.Path sources = java.nio.file.Path.of("src/test/java/com/timereg/gateway/loadtest");
    java.util.Set<String> read = new java.util.TreeSet<>();
    java.util.regex.Pattern param = java.util.regex.Pattern.compile(
        "Params\\.(?:string|integer|decimal|percent|flag|duration)\\(\"([A-Za-z0-9]+)\"|PROPERTY = \"([A-Za-z0-9]+)\"");
    try (var files = java.nio.file.Files.list(sources)) {
      for (java.nio.file.Path file : files.filter(f -> !f.getFileName().toString().endsWith("Test.java")
          && !f.getFileName().toString().endsWith("IT.java")).toList()) {
        java.util.regex.Matcher m = param.matcher(java.nio.file.Files.readString(file));
        while (m.find()) {
          read.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
      }
    }
    read.add("pages"); // read through Pages.fromSystemProperties's argument
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("../README.md"));
    String table = readme.substring(readme.indexOf("### Parameters"), readme.indexOf("TLS: Gatling"));
    java.util.Set<String> listed = new java.util.TreeSet<>();
    java.util.regex.Matcher row = java.util.regex.Pattern.compile("(?m)^\\| (`[^|]+)\\|").matcher(table);
    while (row.find()) {
      java.util.regex.Matcher name = java.util.regex.Pattern.compile("`([A-Za-z0-9]+)`").matcher(row.group(1));
      while (name.find()) {
        listed.add(name.group(1));
      }
    }
    assertThat(read).isEqualTo(new java.util.TreeSet<>(Params.ANY_SIMULATION));
    assertThat(listed).isEqualTo(new java.util.TreeSet<>(Params.ANY_SIMULATION));
  }
}
