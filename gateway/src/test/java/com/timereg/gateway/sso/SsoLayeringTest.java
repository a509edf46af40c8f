package com.timereg.gateway.sso;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class SsoLayeringTest {
  private final JavaClasses classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("com.timereg.gateway");

  @Test
  void ssoSitsAboveLoginSessionAndThrottleAndBelowTheComposition() {
    noClasses().that().resideInAPackage("..gateway.sso..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "..gateway.config..", "..gateway.edge..", "..gateway.proxy..", "..gateway.admin..", "..gateway.blocks..",
            "..gateway.tls..")
        .check(classes);
  }

  @Test
  void nothingBelowDependsOnSso() {
    noClasses().that().resideInAnyPackage("..gateway.login..", "..gateway.session..", "..gateway.throttle..",
            "..gateway.store..", "..gateway.password..")
        .should().dependOnClassesThat().resideInAPackage("..gateway.sso..")
        .check(classes);
  }
}
