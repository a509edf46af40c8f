package com.timereg.gateway.blocks;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class BlocksLayeringTest {
  private final JavaClasses classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("com.timereg.gateway");

  @Test
  void throttlingAndAddressesKnowNothingOfSharing() {
    noClasses().that().resideInAnyPackage("..gateway.throttle..", "..gateway.clientip..", "..gateway.store..")
        .should().dependOnClassesThat().resideInAPackage("..gateway.blocks..")
        .check(classes);
  }

  @Test
  void sharingDependsOnlyOnTheLayersBelowIt() {
    noClasses().that().resideInAPackage("..gateway.blocks..")
        .should().dependOnClassesThat().resideInAnyPackage("..gateway.admin..", "..gateway.edge..",
            "..gateway.config..", "..gateway.login..", "..gateway.session..", "..gateway.proxy..")
        .check(classes);
  }
}
