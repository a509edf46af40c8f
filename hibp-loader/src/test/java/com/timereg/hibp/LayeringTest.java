package com.timereg.hibp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The format (this package) stands alone so the gateway gets the reader without the loader; input parsing
 * knows nothing of the format; only the CLI knows picocli.
 */
class LayeringTest {
  private static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("com.timereg.hibp");

  @Test
  void formatDependsOnNoOtherPackageOfTheModule() {
    noClasses().that().resideInAPackage("com.timereg.hibp")
        .should().dependOnClassesThat().resideInAnyPackage("com.timereg.hibp.(*)..")
        .check(CLASSES);
  }

  @Test
  void inputParsingDoesNotKnowTheFormatOrTheBuilder() {
    noClasses().that().resideInAPackage("com.timereg.hibp.input..")
        .should().dependOnClassesThat().resideInAnyPackage("com.timereg.hibp", "com.timereg.hibp.build..",
            "com.timereg.hibp.cli..", "com.timereg.hibp.generate..")
        .check(CLASSES);
  }

  @Test
  void onlyTheCliUsesPicocli() {
    noClasses().that().resideOutsideOfPackage("com.timereg.hibp.cli..")
        .should().dependOnClassesThat().resideInAPackage("picocli..")
        .check(CLASSES);
  }

  @Test
  void packagesHaveNoCycles() {
    slices().matching("com.timereg.hibp.(*)..").should().beFreeOfCycles().check(CLASSES);
  }
}
