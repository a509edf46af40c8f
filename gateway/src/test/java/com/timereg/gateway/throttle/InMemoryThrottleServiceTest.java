package com.timereg.gateway.throttle;

class InMemoryThrottleServiceTest extends ThrottleServiceContract {
  @Override
  ThrottleStorage newStorage(long clientEntries, long rangeEntries) {
    return ThrottleStorage.inMemory(clientEntries, rangeEntries);
  }
}
