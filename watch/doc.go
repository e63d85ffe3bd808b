// Package watch turns file system events under a model directory into
// debounced, stable change sets for the dev loop.
//
// A Watcher watches directories, not files, because editors save by writing
// a temporary file and renaming it over the original; it adds directories as
// they appear (reporting the files already in them) and drops them when they
// go. Paths that package ignore rejects (editor and notebook litter, and what
// .kuboxignore lists) neither produce changes nor get watched; the rules are
// reloaded when .kuboxignore changes, and paths whose verdict flips count as
// changed.
//
// A change set is emitted once no relevant event has arrived for the quiet
// period and every changed path that still exists kept its size, mode and
// modification time across one more quiet period, so a large file written
// slowly, even with pauses of up to two quiet periods or with writes that
// send no events, yields one set when it is complete. The earliest a set can be ready is therefore two
// quiet periods after the last event. A file that never stops changing still
// yields a set once Options.MaxWait has passed since the set's first event
// (or since it was reopened, below), possibly with partial content: that is
// the price of never waiting forever.
//
// Sets coalesce: while the consumer has not taken a ready set, new events
// reopen it, and it is offered again with the union of paths once stable, so
// a busy consumer never picks up a set while its files are moving.
// The event reader never waits for the consumer and no change is dropped. An
// event queue overflow is reported as a set naming the root (".") so that the
// consumer rebuilds everything.
//
// A file that is created and gone again within one set (the temporary file
// of an atomic save) is not reported. Changes of attributes alone are not
// changes, and symbolic links to directories are not followed.
package watch
