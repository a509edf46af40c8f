package com.timereg.gateway.breach;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The mapped HIBP set stays behind the breach package; the rest sees only BreachedPasswords. */
class BreachLayeringTest {
  private final JavaClasses classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("com.timereg.gateway");

  @Test
  void onlyTheBreachPackageUsesTheHibpModule() {
    noClasses().that().resideOutsideOfPackage("..gateway.breach..")
        .should().dependOnClassesThat().resideInAPackage("com.timereg.hibp..")
        .check(classes);
  }

  @Test
  void breachDependsOnlyOnThePasswordInterfaceAmongOurPackages() {
    noClasses().that().resideInAPackage("..gateway.breach..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "..gateway.config..", "..gateway.edge..", "..gateway.login..", "..gateway.proxy..", "..gateway.session..",
            "..gateway.admin..", "..gateway.throttle..", "..gateway.clientip..", "..gateway.tls..", "..gateway.store..")
        .check(classes);
  }
}
