package com.timereg.gateway.admin;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class AdminLayeringTest {
  private final JavaClasses classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("com.timereg.gateway");

  @Test
  void consoleDependsOnlyOnTheLayersBelowIt() {
    noClasses().that().resideInAPackage("..gateway.admin..")
        .should().dependOnClassesThat().resideInAnyPackage("..gateway.edge..", "..gateway.config..",
            "..gateway.login..", "..gateway.session..", "..gateway.proxy..", "..gateway.cli..")
        .check(classes);
  }

  @Test
  void commandLineClientTalksHttpOnlyAndSharesNoServerCode() {
    noClasses().that().resideInAPackage("..gateway.cli..")
        .should().dependOnClassesThat().resideInAnyPackage("..gateway.admin..", "..gateway.edge..",
            "..gateway.blocks..", "..gateway.throttle..", "..gateway.store..", "..gateway.config..")
        .check(classes);
  }

  @Test
  void lowerLayersKnowNothingOfTheConsole() {
    noClasses().that().resideInAnyPackage("..gateway.throttle..", "..gateway.blocks..", "..gateway.clientip..",
            "..gateway.store..", "..gateway.tls..", "..gateway.password..")
        .should().dependOnClassesThat().resideInAPackage("..gateway.admin..")
        .check(classes);
  }
}
