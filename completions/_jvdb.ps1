
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'jvdb' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'jvdb'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'jvdb' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--dialect', '--dialect', [CompletionResultType]::ParameterName, 'Query dialect: MongoDB semantics, or jvspatial''s QueryEngine exactly [default: mongo]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show which store is used and why, and whether it can be read (exit 4 when not)')
            [CompletionResult]::new('collections', 'collections', [CompletionResultType]::ParameterValue, 'List the collections of the store')
            [CompletionResult]::new('count', 'count', [CompletionResultType]::ParameterValue, 'Count the records of a collection')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print records by id')
            [CompletionResult]::new('find', 'find', [CompletionResultType]::ParameterValue, 'Find records with a query; streams results')
            [CompletionResult]::new('save', 'save', [CompletionResultType]::ParameterValue, 'Write records from --data, a file or stdin (object, array or JSONL)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete records by id or by query')
            [CompletionResult]::new('cleanup', 'cleanup', [CompletionResultType]::ParameterValue, 'Remove dangling edges (jvspatial validate_graph''s rule) and other damage')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy records of chosen collections from one store to another')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Move a whole store to another store, verified')
            [CompletionResult]::new('dump', 'dump', [CompletionResultType]::ParameterValue, 'Write a store to one archive file (or stdout), verified')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Put an archive''s records into a store, verified against its manifest')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Compare two stores collection by collection (counts and content hash)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Name every id that differs between two stores (the same as `verify --list`)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Report what is wrong with a store, read-only (exit 7 when anything is found)')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Counts, sizes and degree statistics of a store''s graph')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the graph, or a part of it, as dot, mermaid, graphml, gexf or jsonl')
            [CompletionResult]::new('edges', 'edges', [CompletionResultType]::ParameterValue, 'The edges of a node')
            [CompletionResult]::new('neighbors', 'neighbors', [CompletionResultType]::ParameterValue, 'The nodes around a node, breadth-first, each once with its depth')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'A shortest path between two nodes (exit 3 when there is none)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Write completions/ and man/ (used to keep the checked-in copies fresh)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'jvdb;info' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format: text, or a JSON object (store, backend, why, state, collections with counts) for health checks')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;collections' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a TTY, else one name per line]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;count' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--dialect', '--dialect', [CompletionResultType]::ParameterName, 'Query dialect: MongoDB semantics, or jvspatial''s QueryEngine exactly [default: mongo]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin')
            [CompletionResult]::new('--query', '--query', [CompletionResultType]::ParameterName, 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin')
            [CompletionResult]::new('--entity', '--entity', [CompletionResultType]::ParameterName, 'Only records of this entity (class) name')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;get' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: json: one id gives the object, several an array]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;find' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--dialect', '--dialect', [CompletionResultType]::ParameterName, 'Query dialect: MongoDB semantics, or jvspatial''s QueryEngine exactly [default: mongo]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin')
            [CompletionResult]::new('--query', '--query', [CompletionResultType]::ParameterName, 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Sort keys: field:1 (ascending) or field:-1 (descending), comma separated')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Skip this many matching records')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Return at most this many records')
            [CompletionResult]::new('--fields', '--fields', [CompletionResultType]::ParameterName, 'Only these fields (dot paths, comma separated); id is always kept')
            [CompletionResult]::new('--entity', '--entity', [CompletionResultType]::ParameterName, 'Only records of this entity (class) name')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a TTY, jsonl otherwise]')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Print only the number of matching records')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;save' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'The records as a JSON string instead of a file')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'What to do when an id already exists')
            [CompletionResult]::new('--errors', '--errors', [CompletionResultType]::ParameterName, 'Write the records that failed to FILE (JSONL), to fix and feed back')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Records per write batch')
            [CompletionResult]::new('--generate-id', '--generate-id', [CompletionResultType]::ParameterName, 'Mint jvspatial ids (n.City.<24 hex>) for records without an id')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Check the input and report what would be saved; write nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;delete' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--dialect', '--dialect', [CompletionResultType]::ParameterName, 'Query dialect: MongoDB semantics, or jvspatial''s QueryEngine exactly [default: mongo]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin')
            [CompletionResult]::new('--query', '--query', [CompletionResultType]::ParameterName, 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin')
            [CompletionResult]::new('--max-delete', '--max-delete', [CompletionResultType]::ParameterName, 'Refuse (exit 6) when more than N records would be deleted')
            [CompletionResult]::new('--backup', '--backup', [CompletionResultType]::ParameterName, 'First write every record to be deleted to this archive (written and fsynced before anything is deleted; refused when it exists); `jvdb restore FILE --to SPEC --mode replace` puts them back')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compression of an archive written: zstd, gzip or none [default: from the file name (.tar.zst, .tar.gz, .tar), else zstd]')
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'Compression level of an archive written: zstd 1-22 [default: 3], gzip 0-9 [default: 6]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be deleted; delete nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Delete without asking. Needed for a bulk delete (--query, several ids) when stdin is not a terminal, else it is refused (exit 6); one id named on the command line needs no --yes')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Delete without asking. Needed for a bulk delete (--query, several ids) when stdin is not a terminal, else it is refused (exit 6); one id named on the command line needs no --yes')
            [CompletionResult]::new('--cascade', '--cascade', [CompletionResultType]::ParameterName, 'Also delete the edges of deleted nodes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;cleanup' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('--max-delete', '--max-delete', [CompletionResultType]::ParameterName, 'Refuse (exit 6) when more than N edges would be deleted')
            [CompletionResult]::new('--node-collection', '--node-collection', [CompletionResultType]::ParameterName, 'Node collection name')
            [CompletionResult]::new('--edge-collection', '--edge-collection', [CompletionResultType]::ParameterName, 'Edge collection name')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format: text (dangling edge ids on stdout) or a JSON report for cron')
            [CompletionResult]::new('--backup', '--backup', [CompletionResultType]::ParameterName, 'First write every record to be deleted or changed (dangling edges, nodes whose legacy edges arrays are stripped) to this archive, written and fsynced before anything changes (refused when it exists); `jvdb restore FILE --to SPEC --mode replace` puts them back')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compression of an archive written: zstd, gzip or none [default: from the file name (.tar.zst, .tar.gz, .tar), else zstd]')
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'Compression level of an archive written: zstd 1-22 [default: 3], gzip 0-9 [default: 6]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Report what would be removed; change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Delete without asking. Needed when stdin is not a terminal (cron, scripts): without it cleanup that would delete edges is refused (exit 6)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Delete without asking. Needed when stdin is not a terminal (cron, scripts): without it cleanup that would delete edges is refused (exit 6)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Run even when the node collection is empty or missing (every edge is then dangling)')
            [CompletionResult]::new('--strip-node-edges', '--strip-node-edges', [CompletionResultType]::ParameterName, 'Also remove legacy `edges` arrays from node records (jvspatial 0.0.x)')
            [CompletionResult]::new('--tmp-files', '--tmp-files', [CompletionResultType]::ParameterName, 'Also remove stale *.jvtmp files of processes that are not running (JSON stores)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;copy' {
            [CompletionResult]::new('--dialect', '--dialect', [CompletionResultType]::ParameterName, 'Query dialect: MongoDB semantics, or jvspatial''s QueryEngine exactly [default: mongo]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Source store spec')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Target store spec')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Records per write batch')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Batches written in parallel')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Batches written in parallel')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Move only the records whose id hashes to partition K of N (1-based, like `split -n K/N`): N processes, one per partition, move one store in parallel, each verifying its own share (the hash: md5 of the id; PostgreSQL and SQLite compute it server-side)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compression of an archive written: zstd, gzip or none [default: from the file name (.tar.zst, .tar.gz, .tar), else zstd]')
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'Compression level of an archive written: zstd 1-22 [default: 3], gzip 0-9 [default: 6]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Collections to copy (repeat or comma separate) [default: all]')
            [CompletionResult]::new('--collection', '--collection', [CompletionResultType]::ParameterName, 'Collections to copy (repeat or comma separate) [default: all]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin')
            [CompletionResult]::new('--query', '--query', [CompletionResultType]::ParameterName, 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'What to do when an id already exists in the target')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Read and check everything, report what would be written; write nothing')
            [CompletionResult]::new('--no-indexes', '--no-indexes', [CompletionResultType]::ParameterName, 'Do not create jvspatial''s indexes in the target (MongoDB)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;migrate' {
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Source store spec')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Target store spec')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Records per write batch')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Batches written in parallel')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Batches written in parallel')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Move only the records whose id hashes to partition K of N (1-based, like `split -n K/N`): N processes, one per partition, move one store in parallel, each verifying its own share (the hash: md5 of the id; PostgreSQL and SQLite compute it server-side)')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compression of an archive written: zstd, gzip or none [default: from the file name (.tar.zst, .tar.gz, .tar), else zstd]')
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'Compression level of an archive written: zstd 1-22 [default: 3], gzip 0-9 [default: 6]')
            [CompletionResult]::new('--backup', '--backup', [CompletionResultType]::ParameterName, 'With --upgrade: first write the node records it changes, as they are in the source, to this archive (written and fsynced before anything is migrated); `jvdb restore FILE --to SPEC --mode replace` puts them back')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Read and check everything, report what would be written; write nothing')
            [CompletionResult]::new('--no-indexes', '--no-indexes', [CompletionResultType]::ParameterName, 'Do not create jvspatial''s indexes in the target (MongoDB)')
            [CompletionResult]::new('--upgrade', '--upgrade', [CompletionResultType]::ParameterName, 'Drop legacy node `edges` arrays (jvspatial 0.0.x) on the way')
            [CompletionResult]::new('--no-verify', '--no-verify', [CompletionResultType]::ParameterName, 'Skip the verification pass (counts and content hash)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;dump' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The archive to write, or - for stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The archive to write, or - for stdout')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compression of an archive written: zstd, gzip or none [default: from the file name (.tar.zst, .tar.gz, .tar), else zstd]')
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'Compression level of an archive written: zstd 1-22 [default: 3], gzip 0-9 [default: 6]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Collections to dump (repeat or comma separate) [default: all]')
            [CompletionResult]::new('--collection', '--collection', [CompletionResultType]::ParameterName, 'Collections to dump (repeat or comma separate) [default: all]')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Records per write batch')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace FILE when it exists (only once the new archive is complete and verified)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Read and check everything, report what would be written; write nothing')
            [CompletionResult]::new('--no-verify', '--no-verify', [CompletionResultType]::ParameterName, 'Skip reading the archive back to compare it with the store (its own manifest is still checked)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;restore' {
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The store to restore into')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'What to do with ids the target already holds [required when the target holds any record; an empty target needs none]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Collections to restore (repeat or comma separate) [default: all in the archive]')
            [CompletionResult]::new('--collection', '--collection', [CompletionResultType]::ParameterName, 'Collections to restore (repeat or comma separate) [default: all in the archive]')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Records per write batch')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Batches written in parallel')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Batches written in parallel')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Check the archive and report what would be written; write nothing')
            [CompletionResult]::new('--no-indexes', '--no-indexes', [CompletionResultType]::ParameterName, 'Do not create jvspatial''s indexes in the target (MongoDB)')
            [CompletionResult]::new('--no-verify', '--no-verify', [CompletionResultType]::ParameterName, 'Skip the verification pass of the target (the archive is still checked against its manifest before anything is written)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;verify' {
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Only these collections [default: all of both stores]')
            [CompletionResult]::new('--collection', '--collection', [CompletionResultType]::ParameterName, 'Only these collections [default: all of both stores]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format (jsonl: one line per collection, or per difference with --list)')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Compare only the records whose id hashes to partition K of N in both stores (the partitions of `migrate --partition`)')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'Name every id that differs: `- ID` only in A, `+ ID` only in B, `* ID` different, `! ID` unreadable (prefixed by its collection)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;diff' {
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Only these collections [default: all of both stores]')
            [CompletionResult]::new('--collection', '--collection', [CompletionResultType]::ParameterName, 'Only these collections [default: all of both stores]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format (jsonl: one line per collection, or per difference with --list)')
            [CompletionResult]::new('--partition', '--partition', [CompletionResultType]::ParameterName, 'Compare only the records whose id hashes to partition K of N in both stores (the partitions of `migrate --partition`)')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'Name every id that differs: `- ID` only in A, `+ ID` only in B, `* ID` different, `! ID` unreadable (prefixed by its collection)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;check' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('--node-collection', '--node-collection', [CompletionResultType]::ParameterName, 'Node collection name')
            [CompletionResult]::new('--edge-collection', '--edge-collection', [CompletionResultType]::ParameterName, 'Edge collection name')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'Also report what would fail on the way into this backend (repeatable)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format [default: text]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;stats' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('--node-collection', '--node-collection', [CompletionResultType]::ParameterName, 'Node collection name')
            [CompletionResult]::new('--edge-collection', '--edge-collection', [CompletionResultType]::ParameterName, 'Edge collection name')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'How many of the highest-degree nodes to list')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format [default: table]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;export' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--dialect', '--dialect', [CompletionResultType]::ParameterName, 'Query dialect: MongoDB semantics, or jvspatial''s QueryEngine exactly [default: mongo]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('--node-collection', '--node-collection', [CompletionResultType]::ParameterName, 'Node collection name')
            [CompletionResult]::new('--edge-collection', '--edge-collection', [CompletionResultType]::ParameterName, 'Edge collection name')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: dot (Graphviz), mermaid, graphml, gexf, or jsonl (the node records, then the edge records, one per line) [default: dot]')
            [CompletionResult]::new('--entity', '--entity', [CompletionResultType]::ParameterName, 'Only nodes of this entity (class) name (repeat or comma separate); edges are those between exported nodes')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin')
            [CompletionResult]::new('--query', '--query', [CompletionResultType]::ParameterName, 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Filter as a JSON query document (MongoDB syntax), e.g. ''{"context.pop":{"$gt":1e6}}''; @FILE reads it from a file, @- from stdin')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Only the neighbourhood of this node (with --depth)')
            [CompletionResult]::new('--depth', '--depth', [CompletionResultType]::ParameterName, 'How many steps from --from [default: 1]')
            [CompletionResult]::new('--direction', '--direction', [CompletionResultType]::ParameterName, 'Which edges the --from walk follows')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most N nodes (a note on stderr says when it cut)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Node label field, a dot path [default: context.name, else the id]')
            [CompletionResult]::new('--render', '--render', [CompletionResultType]::ParameterName, 'Run Graphviz''s `dot` on the dot export to make a picture in FILE (needs -o; Debian''s package graphviz)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (atomically: a temp file renamed into place)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (atomically: a temp file renamed into place)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;edges' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('--node-collection', '--node-collection', [CompletionResultType]::ParameterName, 'Node collection name')
            [CompletionResult]::new('--edge-collection', '--edge-collection', [CompletionResultType]::ParameterName, 'Edge collection name')
            [CompletionResult]::new('--direction', '--direction', [CompletionResultType]::ParameterName, 'Which edges')
            [CompletionResult]::new('--entity', '--entity', [CompletionResultType]::ParameterName, 'Only edges of this entity (class) name (repeat or comma separate)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a TTY, jsonl otherwise]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;neighbors' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('--node-collection', '--node-collection', [CompletionResultType]::ParameterName, 'Node collection name')
            [CompletionResult]::new('--edge-collection', '--edge-collection', [CompletionResultType]::ParameterName, 'Edge collection name')
            [CompletionResult]::new('--depth', '--depth', [CompletionResultType]::ParameterName, 'How many steps')
            [CompletionResult]::new('--direction', '--direction', [CompletionResultType]::ParameterName, 'Which edges to follow')
            [CompletionResult]::new('--entity', '--entity', [CompletionResultType]::ParameterName, 'Only follow edges of this entity (class) name (repeat or comma separate)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a TTY, jsonl otherwise]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;path' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S, mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its variables, else ./jvdb; `jvdb info` shows the choice]')
            [CompletionResult]::new('--mongo-db', '--mongo-db', [CompletionResultType]::ParameterName, 'MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a database server before giving up (exit 4) [default: 5]')
            [CompletionResult]::new('--retry-for', '--retry-for', [CompletionResultType]::ParameterName, 'Seconds to keep retrying a database server operation that fails for a dropped connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up with exit 4; 0 = no retries [default: 60]')
            [CompletionResult]::new('--io-timeout', '--io-timeout', [CompletionResultType]::ParameterName, 'Seconds one database server operation, or a wait for the next records of a read, may take before it is abandoned as failed (and retried) [default: 30]')
            [CompletionResult]::new('--node-collection', '--node-collection', [CompletionResultType]::ParameterName, 'Node collection name')
            [CompletionResult]::new('--edge-collection', '--edge-collection', [CompletionResultType]::ParameterName, 'Edge collection name')
            [CompletionResult]::new('--max-depth', '--max-depth', [CompletionResultType]::ParameterName, 'Give up beyond this many steps (exit 3)')
            [CompletionResult]::new('--direction', '--direction', [CompletionResultType]::ParameterName, 'Which edges to follow')
            [CompletionResult]::new('--entity', '--entity', [CompletionResultType]::ParameterName, 'Only follow edges of this entity (class) name (repeat or comma separate)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a TTY, jsonl otherwise]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;completions' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;generate-docs' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bars, summaries or warnings on stderr (errors still print)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say which store was chosen and why, and more detail on what happens')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'jvdb;help' {
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show which store is used and why, and whether it can be read (exit 4 when not)')
            [CompletionResult]::new('collections', 'collections', [CompletionResultType]::ParameterValue, 'List the collections of the store')
            [CompletionResult]::new('count', 'count', [CompletionResultType]::ParameterValue, 'Count the records of a collection')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print records by id')
            [CompletionResult]::new('find', 'find', [CompletionResultType]::ParameterValue, 'Find records with a query; streams results')
            [CompletionResult]::new('save', 'save', [CompletionResultType]::ParameterValue, 'Write records from --data, a file or stdin (object, array or JSONL)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete records by id or by query')
            [CompletionResult]::new('cleanup', 'cleanup', [CompletionResultType]::ParameterValue, 'Remove dangling edges (jvspatial validate_graph''s rule) and other damage')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy records of chosen collections from one store to another')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Move a whole store to another store, verified')
            [CompletionResult]::new('dump', 'dump', [CompletionResultType]::ParameterValue, 'Write a store to one archive file (or stdout), verified')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Put an archive''s records into a store, verified against its manifest')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Compare two stores collection by collection (counts and content hash)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Name every id that differs between two stores (the same as `verify --list`)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Report what is wrong with a store, read-only (exit 7 when anything is found)')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Counts, sizes and degree statistics of a store''s graph')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the graph, or a part of it, as dot, mermaid, graphml, gexf or jsonl')
            [CompletionResult]::new('edges', 'edges', [CompletionResultType]::ParameterValue, 'The edges of a node')
            [CompletionResult]::new('neighbors', 'neighbors', [CompletionResultType]::ParameterValue, 'The nodes around a node, breadth-first, each once with its depth')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'A shortest path between two nodes (exit 3 when there is none)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Write completions/ and man/ (used to keep the checked-in copies fresh)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'jvdb;help;info' {
            break
        }
        'jvdb;help;collections' {
            break
        }
        'jvdb;help;count' {
            break
        }
        'jvdb;help;get' {
            break
        }
        'jvdb;help;find' {
            break
        }
        'jvdb;help;save' {
            break
        }
        'jvdb;help;delete' {
            break
        }
        'jvdb;help;cleanup' {
            break
        }
        'jvdb;help;copy' {
            break
        }
        'jvdb;help;migrate' {
            break
        }
        'jvdb;help;dump' {
            break
        }
        'jvdb;help;restore' {
            break
        }
        'jvdb;help;verify' {
            break
        }
        'jvdb;help;diff' {
            break
        }
        'jvdb;help;check' {
            break
        }
        'jvdb;help;stats' {
            break
        }
        'jvdb;help;export' {
            break
        }
        'jvdb;help;edges' {
            break
        }
        'jvdb;help;neighbors' {
            break
        }
        'jvdb;help;path' {
            break
        }
        'jvdb;help;completions' {
            break
        }
        'jvdb;help;generate-docs' {
            break
        }
        'jvdb;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
