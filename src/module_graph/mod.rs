//! What the crate's modules name of each other, read from the sources, and a test that the rooms
//! kept free of circles (`oauth`, `store`, `tui`, `time`, `app`, `cli`) stay so, and that each names only
//! the rooms below it.
//!
//! A module is a file. An edge is any path a module's own code names — a `use` (a re-export
//! followed to the module that defines the item), a `crate::`, `super::` or `self::` path, or a
//! path through a child it declares or through a name a `use` brought in — outside test code,
//! comments and strings. Declaring a child (`mod x;`) is not an edge: a child that adds methods
//! to its parent's type depends on the parent, and the parent on nothing of it. Names a glob
//! (`use x::*`) or a macro brings in are not followed; the rooms checked here use neither to
//! reach a sibling.

mod source;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use source::Source;

/// A module's path from the crate root: `["oauth", "error"]`; the root is `[]`.
type ModPath = Vec<String>;

/// Which modules each module names.
struct Graph {
    edges: BTreeMap<ModPath, BTreeSet<ModPath>>,
}

impl Graph {
    /// The graph of the crate whose sources are under `src`.
    fn read(src: &Path) -> Graph {
        let mut files = Vec::new();
        collect(src, src, &mut files);
        let mut sources = BTreeMap::new();
        for (module, path) in files {
            let text = fs::read_to_string(&path).expect("a source file is readable");
            sources.insert(module, Source::new(&text));
        }
        // A child declared under #[cfg(test)], and everything under it, is test code.
        let test_only: BTreeSet<ModPath> = sources
            .iter()
            .flat_map(|(m, s)| {
                s.test_children
                    .iter()
                    .map(|c| [m.clone(), vec![c.clone()]].concat())
            })
            .collect();
        sources.retain(|m, _| !(1..=m.len()).any(|k| test_only.contains(&m[..k])));
        let modules: BTreeSet<ModPath> = sources.keys().cloned().collect();

        let mut named: Vec<(ModPath, ModPath)> = Vec::new();
        let mut reexports = HashMap::new();
        for (module, source) in &sources {
            let from_root = |path: &str| absolute(module, &source.children, path);
            for (path, public) in source.uses() {
                let Some(path) = from_root(&path) else {
                    continue;
                };
                if public && let Some(name) = path.last() {
                    reexports.insert((module.clone(), name.clone()), path.clone());
                }
                named.push((module.clone(), path));
            }
            let paths = source.paths();
            named.extend(
                paths
                    .iter()
                    .filter_map(|p| Some((module.clone(), from_root(p)?))),
            );
        }
        let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = modules
            .iter()
            .map(|m| (m.clone(), BTreeSet::new()))
            .collect();
        for (module, path) in named {
            let target = defining_module(&path, &modules, &reexports);
            if target != module {
                edges.entry(module).or_default().insert(target);
            }
        }
        Graph { edges }
    }

    /// Every set of two or more modules that reach each other.
    fn circles(&self) -> Vec<Vec<ModPath>> {
        let reach: BTreeMap<&ModPath, BTreeSet<&ModPath>> =
            self.edges.keys().map(|m| (m, self.reachable(m))).collect();
        let mut found: Vec<Vec<ModPath>> = Vec::new();
        for (module, reached) in &reach {
            if found.iter().any(|circle| circle.contains(module)) {
                continue;
            }
            let circle: Vec<ModPath> = reached
                .iter()
                .filter(|other| reach[*other].contains(module))
                .map(|other| (*other).clone())
                .collect();
            if circle.len() > 1 {
                found.push(circle);
            }
        }
        found
    }

    /// The modules `from` reaches by one edge or more (itself only through a circle).
    fn reachable(&self, from: &ModPath) -> BTreeSet<&ModPath> {
        let mut reached = BTreeSet::new();
        let mut next: Vec<&ModPath> = self.edges[from].iter().collect();
        while let Some(module) = next.pop() {
            if reached.insert(module) {
                next.extend(&self.edges[module]);
            }
        }
        reached
    }

    /// A circle as a person cuts it: each edge inside it.
    fn describe(&self, circle: &[ModPath]) -> String {
        let mut lines = vec![format!("a circle: {}", names(circle))];
        for from in circle {
            for to in self.edges[from].iter().filter(|t| circle.contains(t)) {
                lines.push(format!("    {} -> {}", name(from), name(to)));
            }
        }
        lines.join("\n")
    }
}

fn name(module: &[String]) -> String {
    match module {
        [] => "crate".into(),
        _ => module.join("::"),
    }
}

fn names(modules: &[ModPath]) -> String {
    modules
        .iter()
        .map(|m| name(m))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every `.rs` file under `dir` but the binary's `main.rs`, with its module path.
fn collect(root: &Path, dir: &Path, files: &mut Vec<(ModPath, PathBuf)>) {
    for entry in fs::read_dir(dir).expect("the source folder is readable") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            collect(root, &path, files);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path
            .strip_prefix(root)
            .expect("under the root")
            .with_extension("");
        let mut module: ModPath = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        match module.last().map(String::as_str) {
            Some("main") if module.len() == 1 => continue,
            Some("lib") if module.len() == 1 => module.clear(),
            Some("mod") => {
                module.pop();
            }
            _ => {}
        }
        files.push((module, path));
    }
}

/// `path`, as written in `module`, from the crate root; `None` for another crate's path.
fn absolute(module: &ModPath, children: &BTreeSet<String>, path: &str) -> Option<ModPath> {
    let mut segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    match segments.first() {
        Some(&"crate") => return Some(segments[1..].iter().map(|s| s.to_string()).collect()),
        Some(&"self") => {
            segments.remove(0);
        }
        Some(&"super") => {}
        Some(first) if children.contains(*first) => {}
        _ => return None,
    }
    let mut base = module.clone();
    while segments.first() == Some(&"super") {
        base.pop();
        segments.remove(0);
    }
    base.extend(segments.iter().map(|s| s.to_string()));
    Some(base)
}

/// The module that defines what `path` names: the longest prefix that is a module, through any
/// re-export of the name that follows it.
fn defining_module(
    path: &[String],
    modules: &BTreeSet<ModPath>,
    reexports: &HashMap<(ModPath, String), ModPath>,
) -> ModPath {
    let mut path = path.to_vec();
    // A chain of re-exports is short; a loop of them (which rustc refuses) ends here too.
    for _ in 0..8 {
        let k = (0..=path.len())
            .rev()
            .find(|&k| modules.contains(&path[..k]))
            .unwrap_or(0);
        match path
            .get(k)
            .and_then(|next| reexports.get(&(path[..k].to_vec(), next.clone())))
        {
            Some(source) if *source != path => path = [source.as_slice(), &path[k + 1..]].concat(),
            _ => return path[..k].to_vec(),
        }
    }
    path
}

#[test]
fn the_oauth_store_app_cli_and_tui_rooms_and_time_have_no_circles() {
    let graph = Graph::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let kept = |m: &ModPath| {
        matches!(
            m.first().map(String::as_str),
            Some("oauth" | "store" | "tui" | "time" | "app" | "cli" | "agent")
        )
    };
    let circles: Vec<String> = graph
        .circles()
        .iter()
        .filter(|circle| circle.iter().any(kept))
        .map(|circle| graph.describe(circle))
        .collect();
    assert!(
        circles.is_empty(),
        "cut each circle by moving the type both sides need into a module below them:\n{}",
        circles.join("\n")
    );
    let time = vec!["time".to_string()];
    assert_eq!(
        graph.edges.get(&time),
        Some(&BTreeSet::new()),
        "time is the leaf every room uses: it imports nothing of the crate"
    );
    // The rooms were read: a wrong path cannot make this test pass on nothing.
    for room in ["oauth", "store", "app", "cli", "tui"] {
        let read = graph
            .edges
            .keys()
            .filter(|m| m.first().is_some_and(|f| f == room));
        assert!(read.count() > 10, "{room} was not read");
    }
}

/// DESIGN.md §3: `oauth` knows nothing of storage or UI, `store` nothing of UI (nor of the use
/// cases above it), the use cases (`app`) nothing of the fronts that word them, and the problem
/// clauses the fronts share nothing of either front. Each may name only the rooms below it. The
/// fronts stand side by side: the command line and the TUI name nothing of each other (the
/// binary picks one), so each words the application's outcomes its own way.
#[test]
fn the_protocol_the_store_the_use_cases_and_the_fronts_name_only_the_rooms_below_them() {
    let graph = Graph::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let room = |m: &ModPath| m.first().cloned().unwrap_or_default();
    // What every front may use: the use cases, the rooms below them, and the shared helpers.
    const UNDER_FRONTS: [&str; 10] = [
        "app", "problem", "store", "oauth", "inspect", "signals", "browser", "qr", "text", "time",
    ];
    // The daemon starts the agent, and `token` asks it: the agent is the command line's.
    let cli = [&["cli", "demo", "agent"][..], &UNDER_FRONTS[..]].concat();
    let tui = [&["tui"][..], &UNDER_FRONTS[..]].concat();
    for (from, below) in [
        ("oauth", ["oauth", "text", "time"].as_slice()),
        ("store", ["store", "oauth", "text", "time"].as_slice()),
        // The hooks a use case set off end on a stopping signal: `signals` is a leaf.
        (
            "app",
            ["app", "store", "oauth", "signals", "text", "time"].as_slice(),
        ),
        // The agent answers through the use cases; the daemon hands it the CLI's words.
        (
            "agent",
            ["agent", "app", "store", "oauth", "text", "time"].as_slice(),
        ),
        (
            "problem",
            ["problem", "app", "store", "oauth", "text", "time"].as_slice(),
        ),
        ("cli", cli.as_slice()),
        ("tui", tui.as_slice()),
    ] {
        let above: Vec<String> = graph
            .edges
            .iter()
            .filter(|(m, _)| room(m) == from)
            .flat_map(|(m, targets)| targets.iter().map(move |t| (m, t)))
            .filter(|(_, t)| !below.contains(&room(t).as_str()))
            .map(|(m, t)| format!("{} -> {}", name(m), name(t)))
            .collect();
        assert!(
            above.is_empty(),
            "{from} names what is above it: {above:#?}"
        );
    }
}

/// A module's path as words, to match on.
fn parts(module: &ModPath) -> Vec<&str> {
    module.iter().map(String::as_str).collect()
}

/// DESIGN.md §3, the TUI's Elm loop: `update` changes state and returns effects without doing
/// them, views only draw, and only the loop hands effects to the runner. So only the loop, the
/// router, quitting and each screen's `keys` and `update` name messages and effects; the states,
/// the views and the widgets do not; and nothing in the TUI but the loop names the runner.
#[test]
fn in_the_tui_only_keys_and_updates_make_effects_and_only_the_loop_runs_them() {
    let graph = Graph::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let in_runner = |m: &ModPath| matches!(parts(m).as_slice(), ["tui", "effects", ..]);
    let decides = |m: &ModPath| {
        matches!(
            parts(m).as_slice(),
            ["tui"]
                | ["tui", "update" | "quitting"]
                | ["tui", "screens", _, "keys" | "update"]
                | ["tui", "effects", ..]
        )
    };
    let tui: Vec<&ModPath> = graph
        .edges
        .keys()
        .filter(|m| m.first().is_some_and(|f| f == "tui"))
        .collect();
    let message = vec!["tui".to_string(), "message".to_string()];
    let mut wrong = Vec::new();
    for module in &tui {
        let names = &graph.edges[*module];
        if names.contains(&message) && !decides(module) {
            wrong.push(format!("{} names messages and effects", name(module)));
        }
        if names.iter().any(&in_runner) && module.len() > 1 && !in_runner(module) {
            wrong.push(format!("{} names the effect runner", name(module)));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // The rule is about modules that exist: the screens' parts were read.
    for part in [
        "tui::screens::link::keys",
        "tui::screens::link::view",
        "tui::views",
    ] {
        let part: ModPath = part.split("::").map(str::to_string).collect();
        assert!(tui.contains(&&part), "{} was not read", name(&part));
    }
}

#[test]
fn modules_that_reach_each_other_are_one_circle_and_one_that_only_reaches_them_is_not() {
    let m = |name: &str| vec![name.to_string()];
    let graph = Graph {
        edges: BTreeMap::from([
            (m("a"), BTreeSet::from([m("b")])),
            (m("b"), BTreeSet::from([m("c")])),
            (m("c"), BTreeSet::from([m("a")])),
            (m("d"), BTreeSet::from([m("a")])),
            (m("e"), BTreeSet::new()),
        ]),
    };
    assert_eq!(graph.circles(), [vec![m("a"), m("b"), m("c")]]);
    let described = graph.describe(&graph.circles()[0]);
    assert!(described.contains("    c -> a"), "{described}");
}

#[test]
fn a_name_re_exported_by_a_parent_belongs_to_the_child_that_defines_it() {
    let path = |p: &str| p.split("::").map(str::to_string).collect::<ModPath>();
    let modules = BTreeSet::from([vec![], path("a"), path("a::b"), path("c")]);
    // In a: `pub use b::Thing;`.
    let reexports = HashMap::from([((path("a"), "Thing".to_string()), path("a::b::Thing"))]);
    assert_eq!(
        defining_module(&path("a::Thing"), &modules, &reexports),
        path("a::b"),
        "c's `use crate::a::Thing` depends on a::b, not on a"
    );
    assert_eq!(
        defining_module(&path("a::Other"), &modules, &reexports),
        path("a")
    );
    let children = BTreeSet::from(["b".to_string()]);
    assert_eq!(
        absolute(&path("a"), &children, "b::call"),
        Some(path("a::b::call"))
    );
    assert_eq!(
        absolute(&path("a::b"), &children, "super::super::c::X"),
        Some(path("c::X"))
    );
    assert_eq!(absolute(&path("a"), &children, "serde::Serialize"), None);
}
