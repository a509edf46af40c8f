package com.timereg.gateway.session;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class SessionLayeringTest {
  private final JavaClasses classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("com.timereg.gateway");

  @Test
  void sessionsDependOnlyOnTheStoreAmongOurPackages() {
    noClasses().that().resideInAPackage("..gateway.session..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "..gateway.config..", "..gateway.edge..", "..gateway.login..", "..gateway.proxy..", "..gateway.sso..",
            "..gateway.admin..", "..gateway.password..", "..gateway.throttle..", "..gateway.clientip..", "..gateway.tls..")
        .check(classes);
  }

  @Test
  void storeDoesNotDependOnSessions() {
    noClasses().that().resideInAPackage("..gateway.store..")
        .should().dependOnClassesThat().resideInAPackage("..gateway.session..")
        .check(classes);
  }
}
