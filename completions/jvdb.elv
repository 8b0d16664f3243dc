
use builtin;
use str;

set edit:completion:arg-completer[jvdb] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'jvdb'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'jvdb'= {
            cand --db 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]'
            cand --dialect 'Query dialect: MongoDB semantics, or jvspatial''s QueryEngine exactly [default: mongo]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand info 'Show which store is used and why, and whether it can be read (exit 4 when not)'
            cand collections 'List the collections of the store'
            cand count 'Count the records of a collection'
            cand get 'Print records by id'
            cand find 'Find records with a query; streams results'
            cand save 'Write records from --data, a file or stdin (object, array or JSONL)'
            cand delete 'Delete records by id or by query'
            cand cleanup 'Remove dangling edges (jvspatial validate_graph''s rule) and other damage'
            cand copy 'Copy records of chosen collections from one store to another'
            cand migrate 'Move a whole store to another store, verified'
            cand verify 'Compare two stores collection by collection (counts and content hash)'
            cand diff 'Name every id that differs between two stores (the same as `verify --list`)'
            cand check 'Report what is wrong with a store, read-only (exit 7 when anything is found)'
            cand stats 'Counts, sizes and degree statistics of a store''s graph'
            cand export 'Write the graph, or a part of it, as dot, mermaid, graphml, gexf or jsonl'
            cand edges 'The edges of a node'
            cand neighbors 'The nodes around a node, breadth-first, each once with its depth'
            cand path 'A shortest path between two nodes (exit 3 when there is none)'
            cand completions 'Print a shell completion script'
            cand generate-docs 'Write completions/ and man/ (used to keep the checked-in copies fresh)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'jvdb;info'= {
            cand --db 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand --format 'Report format: text, or a JSON object (store, backend, why, state, collections with counts) for health checks'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;collections'= {
            cand --db 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand --format 'Output format [default: table on a TTY, else one name per line]'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;count'= {
            cand --db 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]'
            cand --dialect 'Query dialect: MongoDB semantics, or jvspatial''s QueryEngine exactly [default: mongo]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand -f 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin'
            cand --query 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin'
            cand --filter 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin'
            cand --entity 'Only records of this entity (class) name'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;get'= {
            cand --db 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand --format 'Output format [default: json: one id gives the object, several an array]'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;find'= {
            cand --db 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]'
            cand --dialect 'Query dialect: MongoDB semantics, or jvspatial''s QueryEngine exactly [default: mongo]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand -f 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin'
            cand --query 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin'
            cand --filter 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin'
            cand --sort 'Sort keys: field:1 (ascending) or field:-1 (descending), comma separated'
            cand --skip 'Skip this many matching records'
            cand --limit 'Return at most this many records'
            cand --fields 'Only these fields (dot paths, comma separated); id is always kept'
            cand --entity 'Only records of this entity (class) name'
            cand --format 'Output format [default: table on a TTY, jsonl otherwise]'
            cand --count 'Print only the number of matching records'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;save'= {
            cand --db 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand --data 'The records as a JSON string instead of a file'
            cand --mode 'What to do when an id already exists'
            cand --errors 'Write the records that failed to FILE (JSONL), to fix and feed back'
            cand --batch-size 'Records per write batch'
            cand --generate-id 'Mint jvspatial ids (n.City.<24 hex>) for records without an id'
            cand --dry-run 'Check the input and report what would be saved; write nothing'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;delete'= {
            cand --db 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]'
            cand --dialect 'Query dialect: MongoDB semantics, or jvspatial''s QueryEngine exactly [default: mongo]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand -f 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin'
            cand --query 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin'
            cand --filter 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin'
            cand --max-delete 'Refuse (exit 6) when more than N records would be deleted'
            cand --dry-run 'Show what would be deleted; delete nothing'
            cand -y 'Delete without asking. Needed for a bulk delete (--query, several ids) when stdin is not a terminal, else it is refused (exit 6); one id named on the command line needs no --yes'
            cand --yes 'Delete without asking. Needed for a bulk delete (--query, several ids) when stdin is not a terminal, else it is refused (exit 6); one id named on the command line needs no --yes'
            cand --cascade 'Also delete the edges of deleted nodes'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;cleanup'= {
            cand --db 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand --max-delete 'Refuse (exit 6) when more than N edges would be deleted'
            cand --node-collection 'Node collection name'
            cand --edge-collection 'Edge collection name'
            cand --format 'Report format: text (dangling edge ids on stdout) or a JSON report for cron'
            cand --dry-run 'Report what would be removed; change nothing'
            cand -y 'Delete without asking. Needed when stdin is not a terminal (cron, scripts): without it cleanup that would delete edges is refused (exit 6)'
            cand --yes 'Delete without asking. Needed when stdin is not a terminal (cron, scripts): without it cleanup that would delete edges is refused (exit 6)'
            cand --force 'Run even when the node collection is empty or missing (every edge is then dangling)'
            cand --strip-node-edges 'Also remove legacy `edges` arrays from node records (jvspatial 0.0.x)'
            cand --tmp-files 'Also remove stale *.jvtmp files of processes that are not running (JSON stores)'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;copy'= {
            cand --dialect 'Query dialect: MongoDB semantics, or jvspatial''s QueryEngine exactly [default: mongo]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand --from 'Source store spec'
            cand --to 'Target store spec'
            cand --batch-size 'Records per write batch'
            cand -j 'Batches written in parallel'
            cand --jobs 'Batches written in parallel'
            cand --partition 'Move only the records whose id hashes to partition K of N (1-based, like `split -n K/N`): N processes, one per partition, move one store in parallel, each verifying its own share (the hash: md5 of the id; PostgreSQL and SQLite compute it server-side)'
            cand -c 'Collections to copy (repeat or comma separate) [default: all]'
            cand --collection 'Collections to copy (repeat or comma separate) [default: all]'
            cand -f 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin'
            cand --query 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin'
            cand --filter 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin'
            cand --mode 'What to do when an id already exists in the target'
            cand --dry-run 'Read and check everything, report what would be written; write nothing'
            cand --no-indexes 'Do not create jvspatial''s indexes in the target (MongoDB)'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;migrate'= {
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand --from 'Source store spec'
            cand --to 'Target store spec'
            cand --batch-size 'Records per write batch'
            cand -j 'Batches written in parallel'
            cand --jobs 'Batches written in parallel'
            cand --partition 'Move only the records whose id hashes to partition K of N (1-based, like `split -n K/N`): N processes, one per partition, move one store in parallel, each verifying its own share (the hash: md5 of the id; PostgreSQL and SQLite compute it server-side)'
            cand --dry-run 'Read and check everything, report what would be written; write nothing'
            cand --no-indexes 'Do not create jvspatial''s indexes in the target (MongoDB)'
            cand --upgrade 'Drop legacy node `edges` arrays (jvspatial 0.0.x) on the way'
            cand --no-verify 'Skip the verification pass (counts and content hash)'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;verify'= {
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand -c 'Only these collections [default: all of both stores]'
            cand --collection 'Only these collections [default: all of both stores]'
            cand --format 'Report format (jsonl: one line per collection, or per difference with --list)'
            cand --partition 'Compare only the records whose id hashes to partition K of N in both stores (the partitions of `migrate --partition`)'
            cand --list 'Name every id that differs: `- ID` only in A, `+ ID` only in B, `* ID` different, `! ID` unreadable (prefixed by its collection)'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;diff'= {
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand -c 'Only these collections [default: all of both stores]'
            cand --collection 'Only these collections [default: all of both stores]'
            cand --format 'Report format (jsonl: one line per collection, or per difference with --list)'
            cand --partition 'Compare only the records whose id hashes to partition K of N in both stores (the partitions of `migrate --partition`)'
            cand --list 'Name every id that differs: `- ID` only in A, `+ ID` only in B, `* ID` different, `! ID` unreadable (prefixed by its collection)'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;check'= {
            cand --db 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand --node-collection 'Node collection name'
            cand --edge-collection 'Edge collection name'
            cand --for 'Also report what would fail on the way into this backend (repeatable)'
            cand --format 'Report format [default: text]'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;stats'= {
            cand --db 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand --node-collection 'Node collection name'
            cand --edge-collection 'Edge collection name'
            cand --top 'How many of the highest-degree nodes to list'
            cand --format 'Report format [default: table]'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;export'= {
            cand --db 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]'
            cand --dialect 'Query dialect: MongoDB semantics, or jvspatial''s QueryEngine exactly [default: mongo]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand --node-collection 'Node collection name'
            cand --edge-collection 'Edge collection name'
            cand --format 'Output format: dot (Graphviz), mermaid, graphml, gexf, or jsonl (the node records, then the edge records, one per line) [default: dot]'
            cand --entity 'Only nodes of this entity (class) name (repeat or comma separate); edges are those between exported nodes'
            cand -f 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin'
            cand --query 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin'
            cand --filter 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin'
            cand --from 'Only the neighbourhood of this node (with --depth)'
            cand --depth 'How many steps from --from [default: 1]'
            cand --direction 'Which edges the --from walk follows'
            cand --limit 'At most N nodes (a note on stderr says when it cut)'
            cand --label 'Node label field, a dot path [default: context.name, else the id]'
            cand --render 'Run Graphviz''s `dot` on the dot export to make a picture in FILE (needs -o; Debian''s package graphviz)'
            cand -o 'Write to FILE instead of stdout (atomically: a temp file renamed into place)'
            cand --output 'Write to FILE instead of stdout (atomically: a temp file renamed into place)'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;edges'= {
            cand --db 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand --node-collection 'Node collection name'
            cand --edge-collection 'Edge collection name'
            cand --direction 'Which edges'
            cand --entity 'Only edges of this entity (class) name (repeat or comma separate)'
            cand --format 'Output format [default: table on a TTY, jsonl otherwise]'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;neighbors'= {
            cand --db 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand --node-collection 'Node collection name'
            cand --edge-collection 'Edge collection name'
            cand --depth 'How many steps'
            cand --direction 'Which edges to follow'
            cand --entity 'Only follow edges of this entity (class) name (repeat or comma separate)'
            cand --format 'Output format [default: table on a TTY, jsonl otherwise]'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;path'= {
            cand --db 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]'
            cand --mongo-db 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]'
            cand --connect-timeout 'Seconds to wait for a database server before giving up (exit 4) [default: 5]'
            cand --retry-for 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]'
            cand --io-timeout 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]'
            cand --node-collection 'Node collection name'
            cand --edge-collection 'Edge collection name'
            cand --max-depth 'Give up beyond this many steps (exit 3)'
            cand --direction 'Which edges to follow'
            cand --entity 'Only follow edges of this entity (class) name (repeat or comma separate)'
            cand --format 'Output format [default: table on a TTY, jsonl otherwise]'
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;completions'= {
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;generate-docs'= {
            cand -q 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand --quiet 'No progress bars, summaries or warnings on stderr (errors still print)'
            cand -v 'Say which store was chosen and why, and more detail on what happens'
            cand --verbose 'Say which store was chosen and why, and more detail on what happens'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'jvdb;help'= {
            cand info 'Show which store is used and why, and whether it can be read (exit 4 when not)'
            cand collections 'List the collections of the store'
            cand count 'Count the records of a collection'
            cand get 'Print records by id'
            cand find 'Find records with a query; streams results'
            cand save 'Write records from --data, a file or stdin (object, array or JSONL)'
            cand delete 'Delete records by id or by query'
            cand cleanup 'Remove dangling edges (jvspatial validate_graph''s rule) and other damage'
            cand copy 'Copy records of chosen collections from one store to another'
            cand migrate 'Move a whole store to another store, verified'
            cand verify 'Compare two stores collection by collection (counts and content hash)'
            cand diff 'Name every id that differs between two stores (the same as `verify --list`)'
            cand check 'Report what is wrong with a store, read-only (exit 7 when anything is found)'
            cand stats 'Counts, sizes and degree statistics of a store''s graph'
            cand export 'Write the graph, or a part of it, as dot, mermaid, graphml, gexf or jsonl'
            cand edges 'The edges of a node'
            cand neighbors 'The nodes around a node, breadth-first, each once with its depth'
            cand path 'A shortest path between two nodes (exit 3 when there is none)'
            cand completions 'Print a shell completion script'
            cand generate-docs 'Write completions/ and man/ (used to keep the checked-in copies fresh)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'jvdb;help;info'= {
        }
        &'jvdb;help;collections'= {
        }
        &'jvdb;help;count'= {
        }
        &'jvdb;help;get'= {
        }
        &'jvdb;help;find'= {
        }
        &'jvdb;help;save'= {
        }
        &'jvdb;help;delete'= {
        }
        &'jvdb;help;cleanup'= {
        }
        &'jvdb;help;copy'= {
        }
        &'jvdb;help;migrate'= {
        }
        &'jvdb;help;verify'= {
        }
        &'jvdb;help;diff'= {
        }
        &'jvdb;help;check'= {
        }
        &'jvdb;help;stats'= {
        }
        &'jvdb;help;export'= {
        }
        &'jvdb;help;edges'= {
        }
        &'jvdb;help;neighbors'= {
        }
        &'jvdb;help;path'= {
        }
        &'jvdb;help;completions'= {
        }
        &'jvdb;help;generate-docs'= {
        }
        &'jvdb;help;help'= {
        }
    ]
    $completions[$command]
}
