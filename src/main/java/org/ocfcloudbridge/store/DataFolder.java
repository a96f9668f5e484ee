package org.ocfcloudbridge.store;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.ocfcloudbridge.config.BridgeConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;

/**
 * The data folder ({@code bridge.data-dir}) holds the database, the data key and the TLS key: only the daemon's user
 * may enter it (0700) and read its files (0600). Java cannot set the process umask, so the folder is made 0700 before
 * H2 opens its file in it (see {@code EmbeddedDatabaseUrl}), and the files H2 made with the umask's mode are narrowed
 * at every start. On a file system without POSIX permissions the folder's own access rules apply.
 */
@ApplicationScoped
public class DataFolder {

    static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Logger LOG = Logger.getLogger(DataFolder.class);

    /** Before anything else starts: the database is open by now, but nothing else has written here yet. */
    void secure(@Observes @Priority(0) StartupEvent event, BridgeConfig config) {
        Path dir = Path.of(config.dataDir());
        if (!Files.isDirectory(dir)) {
            // Nothing stored here (a PostgreSQL database, configured keys): no folder is made for nothing.
            return;
        }
        try {
            prepare(dir);
            narrowFiles(dir);
        } catch (IOException e) {
            LOG.warnf("cannot restrict the permissions of the data folder %s: %s", dir, e.getMessage());
        }
    }

    /** Creates the folder 0700 if it is missing and narrows it to 0700 if it is there. */
    public static void prepare(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) {
            Files.createDirectories(abs.getParent());
            try {
                Files.createDirectory(abs, posix() ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(FOLDER)} : new FileAttribute<?>[0]);
            } catch (FileAlreadyExistsException raced) {
                // another start made it meanwhile; narrowed below
            }
        }
        if (posix() && !Files.getPosixFilePermissions(abs).equals(FOLDER)) {
            Files.setPosixFilePermissions(abs, FOLDER);
        }
    }

    /** Narrows every file directly in the folder to 0600 (the folder holds no sub-folders of ours). */
    static void narrowFiles(Path dir) throws IOException {
        if (!posix()) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && !Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS).equals(FILE)) {
                    Files.setPosixFilePermissions(f, FILE);
                }
            }
        }
    }

    /** Writes a new file that is 0600 from its creation on (no moment in which the umask's mode lets others read it). */
    public static void writeSecret(Path file, String content) throws IOException {
        FileAttribute<?>[] attrs = posix() ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
        try (SeekableByteChannel ch = Files.newByteChannel(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
            ByteBuffer b = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        if (posix()) {
            Files.setPosixFilePermissions(file, FILE);
        }
    }

    /** Like {@link #prepare} for callers that cannot throw {@link IOException}. */
    public static void prepareUnchecked(Path dir) {
        try {
            prepare(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data folder " + dir, e);
        }
    }

    private static boolean posix() {
        return java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
