# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_jvdb_global_optspecs
    string join \n db= dialect= mongo-db= connect-timeout= retry-for= io-timeout= q/quiet v/verbose h/help V/version
end

function __fish_jvdb_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_jvdb_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_jvdb_using_subcommand
    set -l cmd (__fish_jvdb_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c jvdb -n "__fish_jvdb_needs_command" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_needs_command" -l dialect -d 'Query dialect: MongoDB semantics, or jvspatial\'s QueryEngine exactly [default: mongo]' -r -f -a "mongo\t''
jvspatial\t''"
complete -c jvdb -n "__fish_jvdb_needs_command" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_needs_command" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_needs_command" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_needs_command" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_needs_command" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_needs_command" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_needs_command" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "info" -d 'Show which store is used and why, and whether it can be read (exit 4 when not)'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "collections" -d 'List the collections of the store'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "count" -d 'Count the records of a collection'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "get" -d 'Print records by id'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "find" -d 'Find records with a query; streams results'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "save" -d 'Write records from --data, a file or stdin (object, array or JSONL)'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "delete" -d 'Delete records by id or by query'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "cleanup" -d 'Remove dangling edges (jvspatial validate_graph\'s rule) and other damage'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "copy" -d 'Copy records of chosen collections from one store to another'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "migrate" -d 'Move a whole store to another store, verified'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "dump" -d 'Write a store to one archive file (or stdout), verified'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "restore" -d 'Put an archive\'s records into a store, verified against its manifest'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "verify" -d 'Compare two stores collection by collection (counts and content hash)'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "diff" -d 'Name every id that differs between two stores (the same as `verify --list`)'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "check" -d 'Report what is wrong with a store, read-only (exit 7 when anything is found)'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "stats" -d 'Counts, sizes and degree statistics of a store\'s graph'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "export" -d 'Write the graph, or a part of it, as dot, mermaid, graphml, gexf or jsonl'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "edges" -d 'The edges of a node'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "neighbors" -d 'The nodes around a node, breadth-first, each once with its depth'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "path" -d 'A shortest path between two nodes (exit 3 when there is none)'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "generate-docs" -d 'Write completions/ and man/ (used to keep the checked-in copies fresh)'
complete -c jvdb -n "__fish_jvdb_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c jvdb -n "__fish_jvdb_using_subcommand info" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand info" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand info" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand info" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand info" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand info" -l format -d 'Report format: text, or a JSON object (store, backend, why, state, collections with counts) for health checks' -r -f -a "text\t''
json\t''"
complete -c jvdb -n "__fish_jvdb_using_subcommand info" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand info" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand info" -s h -l help -d 'Print help'
complete -c jvdb -n "__fish_jvdb_using_subcommand info" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand collections" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand collections" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand collections" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand collections" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand collections" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand collections" -l format -d 'Output format [default: table on a TTY, else one name per line]' -r -f -a "json\t'A pretty JSON array (get with one id: the record itself)'
jsonl\t'One compact JSON record per line'
table\t'A table for people, fitted to the terminal width ($COLUMNS, else detected, else 100)'
csv\t'CSV whose header names every field as a dot path (or the --fields); arrays as JSON'
ids\t'Only the record ids, one per line'"
complete -c jvdb -n "__fish_jvdb_using_subcommand collections" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand collections" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand collections" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_using_subcommand collections" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand count" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand count" -l dialect -d 'Query dialect: MongoDB semantics, or jvspatial\'s QueryEngine exactly [default: mongo]' -r -f -a "mongo\t''
jvspatial\t''"
complete -c jvdb -n "__fish_jvdb_using_subcommand count" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand count" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand count" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand count" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand count" -s f -l query -l filter -d 'Filter as a JSON query document (MongoDB syntax), e.g. \'{"context.pop":{"$gt":1e6}}\'; @FILE reads it from a file, @- from stdin' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand count" -l entity -d 'Only records of this entity (class) name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand count" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand count" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand count" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_using_subcommand count" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand get" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand get" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand get" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand get" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand get" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand get" -l format -d 'Output format [default: json: one id gives the object, several an array]' -r -f -a "json\t'A pretty JSON array (get with one id: the record itself)'
jsonl\t'One compact JSON record per line'
table\t'A table for people, fitted to the terminal width ($COLUMNS, else detected, else 100)'
csv\t'CSV whose header names every field as a dot path (or the --fields); arrays as JSON'
ids\t'Only the record ids, one per line'"
complete -c jvdb -n "__fish_jvdb_using_subcommand get" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand get" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_using_subcommand get" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -l dialect -d 'Query dialect: MongoDB semantics, or jvspatial\'s QueryEngine exactly [default: mongo]' -r -f -a "mongo\t''
jvspatial\t''"
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -s f -l query -l filter -d 'Filter as a JSON query document (MongoDB syntax), e.g. \'{"context.pop":{"$gt":1e6}}\'; @FILE reads it from a file, @- from stdin' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -l sort -d 'Sort keys: field:1 (ascending) or field:-1 (descending), comma separated' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -l skip -d 'Skip this many matching records' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -l limit -d 'Return at most this many records' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -l fields -d 'Only these fields (dot paths, comma separated); id is always kept' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -l entity -d 'Only records of this entity (class) name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -l format -d 'Output format [default: table on a TTY, jsonl otherwise]' -r -f -a "json\t'A pretty JSON array (get with one id: the record itself)'
jsonl\t'One compact JSON record per line'
table\t'A table for people, fitted to the terminal width ($COLUMNS, else detected, else 100)'
csv\t'CSV whose header names every field as a dot path (or the --fields); arrays as JSON'
ids\t'Only the record ids, one per line'"
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -l count -d 'Print only the number of matching records'
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_using_subcommand find" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand save" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand save" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand save" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand save" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand save" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand save" -l data -d 'The records as a JSON string instead of a file' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand save" -l mode -d 'What to do when an id already exists' -r -f -a "replace\t'Replace the whole record (jvspatial\'s save)'
insert\t'Fail for ids that already exist (exit 5)'
merge\t'Deep-merge into the stored record (objects merge, other values replace)'
skip-existing\t'Leave records that already exist untouched'"
complete -c jvdb -n "__fish_jvdb_using_subcommand save" -l errors -d 'Write the records that failed to FILE (JSONL), to fix and feed back' -r -F
complete -c jvdb -n "__fish_jvdb_using_subcommand save" -l batch-size -d 'Records per write batch' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand save" -l generate-id -d 'Mint jvspatial ids (n.City.<24 hex>) for records without an id'
complete -c jvdb -n "__fish_jvdb_using_subcommand save" -l dry-run -d 'Check the input and report what would be saved; write nothing'
complete -c jvdb -n "__fish_jvdb_using_subcommand save" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand save" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand save" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_using_subcommand save" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -l dialect -d 'Query dialect: MongoDB semantics, or jvspatial\'s QueryEngine exactly [default: mongo]' -r -f -a "mongo\t''
jvspatial\t''"
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -s f -l query -l filter -d 'Filter as a JSON query document (MongoDB syntax), e.g. \'{"context.pop":{"$gt":1e6}}\'; @FILE reads it from a file, @- from stdin' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -l max-delete -d 'Refuse (exit 6) when more than N records would be deleted' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -l backup -d 'First write every record to be deleted to this archive (written and fsynced before anything is deleted; refused when it exists); `jvdb restore FILE --to SPEC --mode replace` puts them back' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -l compress -d 'Compression of an archive written: zstd, gzip or none [default: from the file name (.tar.zst, .tar.gz, .tar), else zstd]' -r -f -a "zstd\t'Zstandard (.tar.zst), with a frame checksum'
gzip\t'gzip (.tar.gz)'
none\t'No compression (.tar)'"
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -l level -d 'Compression level of an archive written: zstd 1-22 [default: 3], gzip 0-9 [default: 6]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -l dry-run -d 'Show what would be deleted; delete nothing'
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -s y -l yes -d 'Delete without asking. Needed for a bulk delete (--query, several ids) when stdin is not a terminal, else it is refused (exit 6); one id named on the command line needs no --yes'
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -l cascade -d 'Also delete the edges of deleted nodes'
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_using_subcommand delete" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l max-delete -d 'Refuse (exit 6) when more than N edges would be deleted' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l node-collection -d 'Node collection name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l edge-collection -d 'Edge collection name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l format -d 'Report format: text (dangling edge ids on stdout) or a JSON report for cron' -r -f -a "text\t''
json\t''"
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l backup -d 'First write every record to be deleted or changed (dangling edges, nodes whose legacy edges arrays are stripped) to this archive, written and fsynced before anything changes (refused when it exists); `jvdb restore FILE --to SPEC --mode replace` puts them back' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l compress -d 'Compression of an archive written: zstd, gzip or none [default: from the file name (.tar.zst, .tar.gz, .tar), else zstd]' -r -f -a "zstd\t'Zstandard (.tar.zst), with a frame checksum'
gzip\t'gzip (.tar.gz)'
none\t'No compression (.tar)'"
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l level -d 'Compression level of an archive written: zstd 1-22 [default: 3], gzip 0-9 [default: 6]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l dry-run -d 'Report what would be removed; change nothing'
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -s y -l yes -d 'Delete without asking. Needed when stdin is not a terminal (cron, scripts): without it cleanup that would delete edges is refused (exit 6)'
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l force -d 'Run even when the node collection is empty or missing (every edge is then dangling)'
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l strip-node-edges -d 'Also remove legacy `edges` arrays from node records (jvspatial 0.0.x)'
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -l tmp-files -d 'Also remove stale *.jvtmp files of processes that are not running (JSON stores)'
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_using_subcommand cleanup" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -l dialect -d 'Query dialect: MongoDB semantics, or jvspatial\'s QueryEngine exactly [default: mongo]' -r -f -a "mongo\t''
jvspatial\t''"
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -l from -d 'Source store spec' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -l to -d 'Target store spec' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -l batch-size -d 'Records per write batch' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -s j -l jobs -d 'Batches written in parallel' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -l partition -d 'Move only the records whose id hashes to partition K of N (1-based, like `split -n K/N`): N processes, one per partition, move one store in parallel, each verifying its own share (the hash: md5 of the id; PostgreSQL and SQLite compute it server-side)' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -l compress -d 'Compression of an archive written: zstd, gzip or none [default: from the file name (.tar.zst, .tar.gz, .tar), else zstd]' -r -f -a "zstd\t'Zstandard (.tar.zst), with a frame checksum'
gzip\t'gzip (.tar.gz)'
none\t'No compression (.tar)'"
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -l level -d 'Compression level of an archive written: zstd 1-22 [default: 3], gzip 0-9 [default: 6]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -s c -l collection -d 'Collections to copy (repeat or comma separate) [default: all]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -s f -l query -l filter -d 'Filter as a JSON query document (MongoDB syntax), e.g. \'{"context.pop":{"$gt":1e6}}\'; @FILE reads it from a file, @- from stdin' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -l mode -d 'What to do when an id already exists in the target' -r -f -a "replace\t'Replace the whole record (jvspatial\'s save)'
insert\t'Fail for ids that already exist (exit 5)'
merge\t'Deep-merge into the stored record (objects merge, other values replace)'
skip-existing\t'Leave records that already exist untouched'"
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -l dry-run -d 'Read and check everything, report what would be written; write nothing'
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -l no-indexes -d 'Do not create jvspatial\'s indexes in the target (MongoDB)'
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_using_subcommand copy" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -l from -d 'Source store spec' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -l to -d 'Target store spec' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -l batch-size -d 'Records per write batch' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -s j -l jobs -d 'Batches written in parallel' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -l partition -d 'Move only the records whose id hashes to partition K of N (1-based, like `split -n K/N`): N processes, one per partition, move one store in parallel, each verifying its own share (the hash: md5 of the id; PostgreSQL and SQLite compute it server-side)' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -l compress -d 'Compression of an archive written: zstd, gzip or none [default: from the file name (.tar.zst, .tar.gz, .tar), else zstd]' -r -f -a "zstd\t'Zstandard (.tar.zst), with a frame checksum'
gzip\t'gzip (.tar.gz)'
none\t'No compression (.tar)'"
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -l level -d 'Compression level of an archive written: zstd 1-22 [default: 3], gzip 0-9 [default: 6]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -l backup -d 'With --upgrade: first write the node records it changes, as they are in the source, to this archive (written and fsynced before anything is migrated); `jvdb restore FILE --to SPEC --mode replace` puts them back' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -l dry-run -d 'Read and check everything, report what would be written; write nothing'
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -l no-indexes -d 'Do not create jvspatial\'s indexes in the target (MongoDB)'
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -l upgrade -d 'Drop legacy node `edges` arrays (jvspatial 0.0.x) on the way'
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -l no-verify -d 'Skip the verification pass (counts and content hash)'
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_using_subcommand migrate" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -s o -l output -d 'The archive to write, or - for stdout' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -l compress -d 'Compression of an archive written: zstd, gzip or none [default: from the file name (.tar.zst, .tar.gz, .tar), else zstd]' -r -f -a "zstd\t'Zstandard (.tar.zst), with a frame checksum'
gzip\t'gzip (.tar.gz)'
none\t'No compression (.tar)'"
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -l level -d 'Compression level of an archive written: zstd 1-22 [default: 3], gzip 0-9 [default: 6]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -s c -l collection -d 'Collections to dump (repeat or comma separate) [default: all]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -l batch-size -d 'Records per write batch' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -l force -d 'Replace FILE when it exists (only once the new archive is complete and verified)'
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -l dry-run -d 'Read and check everything, report what would be written; write nothing'
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -l no-verify -d 'Skip reading the archive back to compare it with the store (its own manifest is still checked)'
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_using_subcommand dump" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -l to -d 'The store to restore into' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -l mode -d 'What to do with ids the target already holds [required when the target holds any record; an empty target needs none]' -r -f -a "replace\t'Replace the whole record (jvspatial\'s save)'
insert\t'Fail for ids that already exist (exit 5)'
merge\t'Deep-merge into the stored record (objects merge, other values replace)'
skip-existing\t'Leave records that already exist untouched'"
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -s c -l collection -d 'Collections to restore (repeat or comma separate) [default: all in the archive]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -l batch-size -d 'Records per write batch' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -s j -l jobs -d 'Batches written in parallel' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -l dry-run -d 'Check the archive and report what would be written; write nothing'
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -l no-indexes -d 'Do not create jvspatial\'s indexes in the target (MongoDB)'
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -l no-verify -d 'Skip the verification pass of the target (the archive is still checked against its manifest before anything is written)'
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_using_subcommand restore" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand verify" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand verify" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand verify" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand verify" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand verify" -s c -l collection -d 'Only these collections [default: all of both stores]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand verify" -l format -d 'Report format (jsonl: one line per collection, or per difference with --list)' -r -f -a "text\t''
json\t''
jsonl\t''"
complete -c jvdb -n "__fish_jvdb_using_subcommand verify" -l partition -d 'Compare only the records whose id hashes to partition K of N in both stores (the partitions of `migrate --partition`)' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand verify" -l list -d 'Name every id that differs: `- ID` only in A, `+ ID` only in B, `* ID` different, `! ID` unreadable (prefixed by its collection)'
complete -c jvdb -n "__fish_jvdb_using_subcommand verify" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand verify" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand verify" -s h -l help -d 'Print help'
complete -c jvdb -n "__fish_jvdb_using_subcommand verify" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand diff" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand diff" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand diff" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand diff" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand diff" -s c -l collection -d 'Only these collections [default: all of both stores]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand diff" -l format -d 'Report format (jsonl: one line per collection, or per difference with --list)' -r -f -a "text\t''
json\t''
jsonl\t''"
complete -c jvdb -n "__fish_jvdb_using_subcommand diff" -l partition -d 'Compare only the records whose id hashes to partition K of N in both stores (the partitions of `migrate --partition`)' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand diff" -l list -d 'Name every id that differs: `- ID` only in A, `+ ID` only in B, `* ID` different, `! ID` unreadable (prefixed by its collection)'
complete -c jvdb -n "__fish_jvdb_using_subcommand diff" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand diff" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand diff" -s h -l help -d 'Print help'
complete -c jvdb -n "__fish_jvdb_using_subcommand diff" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand check" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand check" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand check" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand check" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand check" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand check" -l node-collection -d 'Node collection name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand check" -l edge-collection -d 'Edge collection name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand check" -l for -d 'Also report what would fail on the way into this backend (repeatable)' -r -f -a "mongodb\t''
sqlite\t''
postgres\t''"
complete -c jvdb -n "__fish_jvdb_using_subcommand check" -l format -d 'Report format [default: text]' -r -f -a "text\t''
json\t''
jsonl\t''"
complete -c jvdb -n "__fish_jvdb_using_subcommand check" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand check" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand check" -s h -l help -d 'Print help'
complete -c jvdb -n "__fish_jvdb_using_subcommand check" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand stats" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand stats" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand stats" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand stats" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand stats" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand stats" -l node-collection -d 'Node collection name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand stats" -l edge-collection -d 'Edge collection name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand stats" -l top -d 'How many of the highest-degree nodes to list' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand stats" -l format -d 'Report format [default: table]' -r -f -a "table\t''
json\t''"
complete -c jvdb -n "__fish_jvdb_using_subcommand stats" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand stats" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand stats" -s h -l help -d 'Print help'
complete -c jvdb -n "__fish_jvdb_using_subcommand stats" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l dialect -d 'Query dialect: MongoDB semantics, or jvspatial\'s QueryEngine exactly [default: mongo]' -r -f -a "mongo\t''
jvspatial\t''"
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l node-collection -d 'Node collection name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l edge-collection -d 'Edge collection name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l format -d 'Output format: dot (Graphviz), mermaid, graphml, gexf, or jsonl (the node records, then the edge records, one per line) [default: dot]' -r -f -a "dot\t''
mermaid\t''
graphml\t''
gexf\t''
jsonl\t''"
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l entity -d 'Only nodes of this entity (class) name (repeat or comma separate); edges are those between exported nodes' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -s f -l query -l filter -d 'Filter as a JSON query document (MongoDB syntax), e.g. \'{"context.pop":{"$gt":1e6}}\'; @FILE reads it from a file, @- from stdin' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l from -d 'Only the neighbourhood of this node (with --depth)' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l depth -d 'How many steps from --from [default: 1]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l direction -d 'Which edges the --from walk follows' -r -f -a "in\t'Edges that point to the node'
out\t'Edges that leave the node'
both\t'Both'"
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l limit -d 'At most N nodes (a note on stderr says when it cut)' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l label -d 'Node label field, a dot path [default: context.name, else the id]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -l render -d 'Run Graphviz\'s `dot` on the dot export to make a picture in FILE (needs -o; Debian\'s package graphviz)' -r -f -a "svg\t''
png\t''"
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -s o -l output -d 'Write to FILE instead of stdout (atomically: a temp file renamed into place)' -r -F
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_using_subcommand export" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand edges" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand edges" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand edges" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand edges" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand edges" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand edges" -l node-collection -d 'Node collection name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand edges" -l edge-collection -d 'Edge collection name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand edges" -l direction -d 'Which edges' -r -f -a "in\t'Edges that point to the node'
out\t'Edges that leave the node'
both\t'Both'"
complete -c jvdb -n "__fish_jvdb_using_subcommand edges" -l entity -d 'Only edges of this entity (class) name (repeat or comma separate)' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand edges" -l format -d 'Output format [default: table on a TTY, jsonl otherwise]' -r -f -a "json\t'A pretty JSON array (get with one id: the record itself)'
jsonl\t'One compact JSON record per line'
table\t'A table for people, fitted to the terminal width ($COLUMNS, else detected, else 100)'
csv\t'CSV whose header names every field as a dot path (or the --fields); arrays as JSON'
ids\t'Only the record ids, one per line'"
complete -c jvdb -n "__fish_jvdb_using_subcommand edges" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand edges" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand edges" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_using_subcommand edges" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand neighbors" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand neighbors" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand neighbors" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand neighbors" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand neighbors" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand neighbors" -l node-collection -d 'Node collection name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand neighbors" -l edge-collection -d 'Edge collection name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand neighbors" -l depth -d 'How many steps' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand neighbors" -l direction -d 'Which edges to follow' -r -f -a "in\t'Edges that point to the node'
out\t'Edges that leave the node'
both\t'Both'"
complete -c jvdb -n "__fish_jvdb_using_subcommand neighbors" -l entity -d 'Only follow edges of this entity (class) name (repeat or comma separate)' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand neighbors" -l format -d 'Output format [default: table on a TTY, jsonl otherwise]' -r -f -a "json\t'A pretty JSON array (get with one id: the record itself)'
jsonl\t'One compact JSON record per line'
table\t'A table for people, fitted to the terminal width ($COLUMNS, else detected, else 100)'
csv\t'CSV whose header names every field as a dot path (or the --fields); arrays as JSON'
ids\t'Only the record ids, one per line'"
complete -c jvdb -n "__fish_jvdb_using_subcommand neighbors" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand neighbors" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand neighbors" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_using_subcommand neighbors" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand path" -l db -d 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand path" -l mongo-db -d 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand path" -l connect-timeout -d 'Seconds to wait for a database server before giving up (exit 4) [default: 5]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand path" -l retry-for -d 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand path" -l io-timeout -d 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand path" -l node-collection -d 'Node collection name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand path" -l edge-collection -d 'Edge collection name' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand path" -l max-depth -d 'Give up beyond this many steps (exit 3)' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand path" -l direction -d 'Which edges to follow' -r -f -a "in\t'Edges that point to the node'
out\t'Edges that leave the node'
both\t'Both'"
complete -c jvdb -n "__fish_jvdb_using_subcommand path" -l entity -d 'Only follow edges of this entity (class) name (repeat or comma separate)' -r
complete -c jvdb -n "__fish_jvdb_using_subcommand path" -l format -d 'Output format [default: table on a TTY, jsonl otherwise]' -r -f -a "json\t'A pretty JSON array (get with one id: the record itself)'
jsonl\t'One compact JSON record per line'
table\t'A table for people, fitted to the terminal width ($COLUMNS, else detected, else 100)'
csv\t'CSV whose header names every field as a dot path (or the --fields); arrays as JSON'
ids\t'Only the record ids, one per line'"
complete -c jvdb -n "__fish_jvdb_using_subcommand path" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand path" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand path" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c jvdb -n "__fish_jvdb_using_subcommand path" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand completions" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand completions" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand completions" -s h -l help -d 'Print help'
complete -c jvdb -n "__fish_jvdb_using_subcommand completions" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand generate-docs" -s q -l quiet -d 'No progress bars, summaries or warnings on stderr (errors still print)'
complete -c jvdb -n "__fish_jvdb_using_subcommand generate-docs" -s v -l verbose -d 'Say which store was chosen and why, and more detail on what happens'
complete -c jvdb -n "__fish_jvdb_using_subcommand generate-docs" -s h -l help -d 'Print help'
complete -c jvdb -n "__fish_jvdb_using_subcommand generate-docs" -s V -l version -d 'Print version'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "info" -d 'Show which store is used and why, and whether it can be read (exit 4 when not)'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "collections" -d 'List the collections of the store'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "count" -d 'Count the records of a collection'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "get" -d 'Print records by id'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "find" -d 'Find records with a query; streams results'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "save" -d 'Write records from --data, a file or stdin (object, array or JSONL)'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "delete" -d 'Delete records by id or by query'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "cleanup" -d 'Remove dangling edges (jvspatial validate_graph\'s rule) and other damage'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "copy" -d 'Copy records of chosen collections from one store to another'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "migrate" -d 'Move a whole store to another store, verified'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "dump" -d 'Write a store to one archive file (or stdout), verified'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "restore" -d 'Put an archive\'s records into a store, verified against its manifest'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "verify" -d 'Compare two stores collection by collection (counts and content hash)'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "diff" -d 'Name every id that differs between two stores (the same as `verify --list`)'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "check" -d 'Report what is wrong with a store, read-only (exit 7 when anything is found)'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "stats" -d 'Counts, sizes and degree statistics of a store\'s graph'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "export" -d 'Write the graph, or a part of it, as dot, mermaid, graphml, gexf or jsonl'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "edges" -d 'The edges of a node'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "neighbors" -d 'The nodes around a node, breadth-first, each once with its depth'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "path" -d 'A shortest path between two nodes (exit 3 when there is none)'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "completions" -d 'Print a shell completion script'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "generate-docs" -d 'Write completions/ and man/ (used to keep the checked-in copies fresh)'
complete -c jvdb -n "__fish_jvdb_using_subcommand help; and not __fish_seen_subcommand_from info collections count get find save delete cleanup copy migrate dump restore verify diff check stats export edges neighbors path completions generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
