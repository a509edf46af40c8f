package com.timereg.gateway.throttle;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ThrottleLayeringTest {
  private final JavaClasses classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("com.timereg.gateway.clientip", "com.timereg.gateway.throttle");

  @Test
  void clientAddressesDoNotDependOnThrottling() {
    noClasses().that().resideInAPackage("..gateway.clientip..")
        .should().dependOnClassesThat().resideInAPackage("..gateway.throttle..")
        .check(classes);
  }

  @Test
  void chronicleTypesStayInsideTheStoreClasses() {
    noClasses().that().resideInAPackage("..gateway..")
        .and().doNotHaveSimpleName("ChronicleThrottleStore")
        .and().doNotHaveSimpleName("ChronicleMapFiles")
        .should().dependOnClassesThat().resideInAPackage("net.openhft..")
        .check(classes);
  }

  @Test
  void throttlingDoesNotDependOnHttp() {
    noClasses().that().resideInAnyPackage("..gateway.clientip..", "..gateway.throttle..")
        .should().dependOnClassesThat().resideInAPackage("io.vertx..")
        .check(classes);
  }
}
