package com.timereg.hibp;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Linux advice for the set's mapping, through JNA. Every call is a hint: where it cannot be given (another
 * OS, JNA's native part cannot load, an older kernel) it returns false and the set works as before, only
 * with more TLB misses.
 *
 * <p>Why it matters: a lookup makes two dependent reads far apart in a file of hundreds of MB. With 4 KiB
 * pages each read also misses the TLB, and in a virtual machine that page walk is nested and costs about as
 * much as the read. Mapped in 2 MiB pages, the whole set needs a few hundred TLB entries.
 */
final class PageAdvice {
  private static final int MADV_HUGEPAGE = 14;
  private static final int MADV_NOHUGEPAGE = 15;
  private static final int MADV_POPULATE_READ = 22;
  private static final int POSIX_FADV_DONTNEED = 4;
  private static final int O_RDONLY = 0;
  private static final boolean AVAILABLE = Libc.available();

  private PageAdvice() {}

  /** Asks for 2 MiB pages (true) or forbids them (false) for the whole mapped buffer. */
  static boolean hugePages(ByteBuffer mapped, boolean wanted) {
    return advise(mapped, wanted ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
  }

  /** Faults every page of the buffer in now, reading from disk what is not cached; blocks until done. */
  static boolean populate(ByteBuffer mapped) {
    return advise(mapped, MADV_POPULATE_READ);
  }

  /**
   * Drops the file's cached pages that no process maps. The kernel then reads the file back in folios as
   * large as the faulting mapping asks for, instead of mapping the 4 KiB or 64 KiB folios its writer left.
   */
  static boolean dropCachedPages(Path file) {
    if (!AVAILABLE) {
      return false;
    }
    int fd = Libc.open(file.toAbsolutePath().toString(), O_RDONLY);
    if (fd < 0) {
      return false;
    }
    try {
      return Libc.posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0;
    } finally {
      Libc.close(fd);
    }
  }

  /**
   * Bytes of the buffers that the kernel maps with 2 MiB page-table entries, from the FilePmdMapped lines of
   * /proc/self/smaps for the mappings that lie inside them; 0 where that cannot be read.
   */
  static long hugePageBytes(ByteBuffer... mapped) {
    Path smaps = Path.of("/proc/self/smaps");
    if (!AVAILABLE || !Files.isReadable(smaps)) {
      return 0;
    }
    long[] starts = new long[mapped.length];
    long[] ends = new long[mapped.length];
    for (int i = 0; i < mapped.length; i++) {
      starts[i] = Pointer.nativeValue(Native.getDirectBufferPointer(mapped[i]));
      ends[i] = starts[i] + mapped[i].capacity();
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(smaps);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    long kib = 0;
    boolean ours = false;
    for (String line : lines) {
      int dash = line.indexOf('-');
      int space = line.indexOf(' ');
      if (dash > 0 && space > dash && line.indexOf(':') > space) {
        // A mapping's first line: "7f12a0000000-7f12c0000000 r--s 00000000 fd:01 1234 /path".
        long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
        ours = false;
        for (int i = 0; i < starts.length; i++) {
          ours |= Long.compareUnsigned(start, starts[i]) >= 0 && Long.compareUnsigned(start, ends[i]) < 0;
        }
      } else if (ours && line.startsWith("FilePmdMapped:")) {
        kib += Long.parseLong(line.substring("FilePmdMapped:".length(), line.length() - " kB".length()).trim());
      }
    }
    return kib * 1024;
  }

  private static boolean advise(ByteBuffer mapped, int advice) {
    if (!AVAILABLE || mapped.capacity() == 0) {
      return false;
    }
    return Libc.madvise(Native.getDirectBufferPointer(mapped), mapped.capacity(), advice) == 0;
  }

  /** libc through JNA's direct mapping; loaded once, and never when not on Linux. */
  private static final class Libc {
    private static native int madvise(Pointer address, long length, int advice);

    private static native int posix_fadvise(int fd, long offset, long length, int advice);

    private static native int open(String path, int flags);

    private static native int close(int fd);

    static boolean available() {
      if (!Platform.isLinux()) {
        return false;
      }
      try {
        Native.register(Libc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        return true;
      } catch (LinkageError | RuntimeException e) {
        return false;
      }
    }
  }
}
