package com.timereg.gateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;

import io.gatling.javaapi.core.OpenInjectionStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Open-model arrivals: a linear ramp to {@code perSecond}, then that rate for {@code duration}. */
final class Arrivals {
  private Arrivals() {}

  static List<OpenInjectionStep> rampThenConstant(double perSecond, Duration rampUp, Duration duration) {
    List<OpenInjectionStep> steps = new ArrayList<>();
    if (!rampUp.isZero()) {
      steps.add(rampUsersPerSec(0).to(perSecond).during(rampUp));
    }
    steps.add(constantUsersPerSec(perSecond).during(duration));
    return steps;
  }
}
