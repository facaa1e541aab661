package dev.goheap.jmh.trees;

import java.io.File;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * One configuration of the comparison: how to start a JVM that runs binary-trees and ends its
 * output with a {@code RESULT {json}} line.
 *
 * @param name        the row's label
 * @param jvmArgs     this configuration's JVM options (the collector and its flags)
 * @param launch      what selects the main class: {@code -cp PATH CLASS} or
 *                    {@code --module-path PATH --module MODULE/CLASS}
 * @param programArgs the program's arguments ({@code depth threads})
 * @param unavailable why this configuration cannot run, or {@code null} if it can
 */
record Workload(String name, List<String> jvmArgs, List<String> launch, List<String> programArgs, String unavailable) {
    /** The main class goheap's collector will provide, in module {@code dev.goheap.gc}. */
    static final String GOHEAP_MAIN = "dev.goheap.gc/dev.goheap.demo.BinaryTrees";

    Workload {
        jvmArgs = List.copyOf(jvmArgs);
        launch = List.copyOf(launch);
        programArgs = List.copyOf(programArgs);
    }

    boolean available() {
        return unavailable == null;
    }

    /** The command line: {@code java}, the common options, this workload's options, then the launch. */
    List<String> command(String java, List<String> commonJvmArgs) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(commonJvmArgs);
        command.addAll(jvmArgs);
        command.addAll(launch);
        command.addAll(programArgs);
        return command;
    }

    /** {@link PlainBinaryTrees} on the class path of this JVM. */
    static Workload plain(String name, List<String> jvmArgs, List<String> programArgs) {
        return new Workload(name, jvmArgs,
                List.of("-cp", System.getProperty("java.class.path"), PlainBinaryTrees.class.getName()), programArgs, null);
    }

    /**
     * A main class given as {@code MODULE/CLASS} or {@code CLASS}, looked up on {@code searchPath}
     * (a class or module path) or, if that is {@code null}, on this JVM's class path. It runs as a
     * module when the module resolves from the explicit modules of that path, and from the class
     * path otherwise. If the class is not there, the workload is {@linkplain #unavailable()
     * unavailable}.
     */
    static Workload ofMain(String name, String main, String searchPath, List<String> jvmArgs, List<String> programArgs) {
        int slash = main.indexOf('/');
        String module = slash < 0 ? null : main.substring(0, slash);
        String className = main.substring(slash + 1);
        String path = searchPath != null ? searchPath : System.getProperty("java.class.path");
        List<Path> entries = Arrays.stream(path.split(File.pathSeparator)).filter(s -> !s.isEmpty()).map(Path::of).toList();
        String where = searchPath != null ? "the given path " + searchPath : "the class path";
        if (!hasClass(entries, searchPath == null, className)) {
            return new Workload(name, jvmArgs, List.of(), programArgs, className + " is not on " + where);
        }
        if (module != null) {
            List<Path> modular = explicitModules(entries);
            if (resolves(modular, module)) {
                String modulePath = String.join(File.pathSeparator, modular.stream().map(Path::toString).toList());
                return new Workload(name, jvmArgs, List.of("--module-path", modulePath, "--module", main), programArgs, null);
            }
        }
        return new Workload(name, jvmArgs, List.of("-cp", path, className), programArgs, null);
    }

    private static boolean hasClass(List<Path> entries, boolean ownClassPath, String className) {
        String resource = className.replace('.', '/') + ".class";
        if (ownClassPath) { // surefire may hide the entries behind a manifest-only jar
            return Workload.class.getClassLoader().getResource(resource) != null;
        }
        List<URL> urls = new ArrayList<>();
        for (Path entry : entries) {
            try {
                urls.add(entry.toUri().toURL());
            } catch (MalformedURLException e) {
                // not a usable entry: skip it
            }
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), null)) {
            return loader.findResource(resource) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The entries that hold an explicit module (a {@code module-info.class}), in path order, and
     * the automatic modules those require by name (goheap's gc module requires HdrHistogram, a
     * plain jar). Other plain jars stay off the module path: as automatic modules they would all
     * be resolved together, and their split packages would break the resolution.
     */
    static List<Path> explicitModules(List<Path> entries) {
        List<Path> modular = new ArrayList<>();
        Set<String> required = new java.util.HashSet<>();
        java.util.Map<String, Path> automatic = new java.util.LinkedHashMap<>();
        for (Path entry : entries) {
            if (!Files.exists(entry)) {
                continue;
            }
            try {
                Set<ModuleReference> found = ModuleFinder.of(entry).findAll();
                if (found.size() != 1) {
                    continue;
                }
                var descriptor = found.iterator().next().descriptor();
                if (descriptor.isAutomatic()) {
                    automatic.putIfAbsent(descriptor.name(), entry);
                } else {
                    modular.add(entry);
                    descriptor.requires().forEach(r -> required.add(r.name()));
                }
            } catch (FindException e) {
                // not a module, or an automatic module with an unusable name: leave it out
            }
        }
        automatic.forEach((name, entry) -> {
            if (required.contains(name)) {
                modular.add(entry);
            }
        });
        return modular;
    }

    private static boolean resolves(List<Path> modulePath, String module) {
        try {
            Configuration.empty().resolve(ModuleFinder.of(modulePath.toArray(Path[]::new)), ModuleFinder.ofSystem(), Set.of(module));
            return true;
        } catch (FindException | ResolutionException e) {
            return false;
        }
    }
}
