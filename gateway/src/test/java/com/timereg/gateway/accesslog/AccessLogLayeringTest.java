package com.timereg.gateway.accesslog;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class AccessLogLayeringTest {
  private final JavaClasses classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("com.timereg.gateway");

  @Test
  void theAccessLogIsALeafThatTheDirectPathAndTheEntryWriteTo() {
    noClasses().that().resideInAPackage("..gateway.accesslog..")
        .should().dependOnClassesThat().resideInAnyPackage("..gateway.admin..", "..gateway.blocks..",
            "..gateway.breach..", "..gateway.cli..", "..gateway.clientip..", "..gateway.config..", "..gateway.demo..",
            "..gateway.edge..", "..gateway.login..", "..gateway.metrics..", "..gateway.password..",
            "..gateway.proxy..", "..gateway.session..", "..gateway.sso..", "..gateway.store..",
            "..gateway.throttle..", "..gateway.tls..")
        .check(classes);
  }
}
