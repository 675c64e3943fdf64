# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_insta485db_global_optspecs
    string join \n d/dbname= h/host= p/port= U/username= root= wait= q/quiet help V/version
end

function __fish_insta485db_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_insta485db_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_insta485db_using_subcommand
    set -l cmd (__fish_insta485db_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c insta485db -n "__fish_insta485db_needs_command" -s d -l dbname -d 'Database to manage [default: insta485], or a `postgresql://` URI or `key=value` connection string naming it. PGDATABASE is not read' -r
complete -c insta485db -n "__fish_insta485db_needs_command" -s h -l host -d 'Server host name, IP address or socket folder [env: PGHOST]' -r
complete -c insta485db -n "__fish_insta485db_needs_command" -s p -l port -d 'Server port [env: PGPORT] [default: 5432]' -r
complete -c insta485db -n "__fish_insta485db_needs_command" -s U -l username -d 'User name to connect as [env: PGUSER] [default: your login name]' -r
complete -c insta485db -n "__fish_insta485db_needs_command" -l root -d 'Project folder holding `sql/` [default: nearest folder upward with sql/schema.sql]' -r -F
complete -c insta485db -n "__fish_insta485db_needs_command" -l wait -d 'Wait up to SECONDS [default: 30] for the server to accept connections' -r
complete -c insta485db -n "__fish_insta485db_needs_command" -s q -l quiet -d 'Print only errors'
complete -c insta485db -n "__fish_insta485db_needs_command" -l help -d 'Print help'
complete -c insta485db -n "__fish_insta485db_needs_command" -s V -l version -d 'Print version'
complete -c insta485db -n "__fish_insta485db_needs_command" -f -a "empty" -d 'Create the database with the schema only, and an empty var/uploads'
complete -c insta485db -n "__fish_insta485db_needs_command" -f -a "create" -d 'Create the database with schema and default data, and copy the uploads'
complete -c insta485db -n "__fish_insta485db_needs_command" -f -a "destroy" -d 'Drop the database and remove var/uploads (does nothing if they are not there)'
complete -c insta485db -n "__fish_insta485db_needs_command" -f -a "reset" -d 'Destroy, then create; the old database stays until the new one is built'
complete -c insta485db -n "__fish_insta485db_needs_command" -f -a "dump" -d 'Print every table of the database'
complete -c insta485db -n "__fish_insta485db_needs_command" -f -a "status" -d 'Show the server, where each setting came from, and what the database holds'
complete -c insta485db -n "__fish_insta485db_needs_command" -f -a "random" -d 'Insert random posts'
complete -c insta485db -n "__fish_insta485db_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c insta485db -n "__fish_insta485db_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c insta485db -n "__fish_insta485db_using_subcommand empty" -l owner -d 'Make ROLE own the database and everything the SQL files create' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand empty" -s d -l dbname -d 'Database to manage [default: insta485], or a `postgresql://` URI or `key=value` connection string naming it. PGDATABASE is not read' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand empty" -s h -l host -d 'Server host name, IP address or socket folder [env: PGHOST]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand empty" -s p -l port -d 'Server port [env: PGPORT] [default: 5432]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand empty" -s U -l username -d 'User name to connect as [env: PGUSER] [default: your login name]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand empty" -l root -d 'Project folder holding `sql/` [default: nearest folder upward with sql/schema.sql]' -r -F
complete -c insta485db -n "__fish_insta485db_using_subcommand empty" -l wait -d 'Wait up to SECONDS [default: 30] for the server to accept connections' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand empty" -s q -l quiet -d 'Print only errors'
complete -c insta485db -n "__fish_insta485db_using_subcommand empty" -l help -d 'Print help'
complete -c insta485db -n "__fish_insta485db_using_subcommand create" -l owner -d 'Make ROLE own the database and everything the SQL files create' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand create" -s d -l dbname -d 'Database to manage [default: insta485], or a `postgresql://` URI or `key=value` connection string naming it. PGDATABASE is not read' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand create" -s h -l host -d 'Server host name, IP address or socket folder [env: PGHOST]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand create" -s p -l port -d 'Server port [env: PGPORT] [default: 5432]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand create" -s U -l username -d 'User name to connect as [env: PGUSER] [default: your login name]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand create" -l root -d 'Project folder holding `sql/` [default: nearest folder upward with sql/schema.sql]' -r -F
complete -c insta485db -n "__fish_insta485db_using_subcommand create" -l wait -d 'Wait up to SECONDS [default: 30] for the server to accept connections' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand create" -s q -l quiet -d 'Print only errors'
complete -c insta485db -n "__fish_insta485db_using_subcommand create" -l help -d 'Print help'
complete -c insta485db -n "__fish_insta485db_using_subcommand destroy" -s d -l dbname -d 'Database to manage [default: insta485], or a `postgresql://` URI or `key=value` connection string naming it. PGDATABASE is not read' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand destroy" -s h -l host -d 'Server host name, IP address or socket folder [env: PGHOST]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand destroy" -s p -l port -d 'Server port [env: PGPORT] [default: 5432]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand destroy" -s U -l username -d 'User name to connect as [env: PGUSER] [default: your login name]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand destroy" -l root -d 'Project folder holding `sql/` [default: nearest folder upward with sql/schema.sql]' -r -F
complete -c insta485db -n "__fish_insta485db_using_subcommand destroy" -l wait -d 'Wait up to SECONDS [default: 30] for the server to accept connections' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand destroy" -l force -d 'End other sessions connected to the database instead of failing'
complete -c insta485db -n "__fish_insta485db_using_subcommand destroy" -s y -l yes -d 'Do not ask before dropping a database on a server that is not local'
complete -c insta485db -n "__fish_insta485db_using_subcommand destroy" -s q -l quiet -d 'Print only errors'
complete -c insta485db -n "__fish_insta485db_using_subcommand destroy" -l help -d 'Print help'
complete -c insta485db -n "__fish_insta485db_using_subcommand reset" -l owner -d 'Make ROLE own the database and everything the SQL files create' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand reset" -s d -l dbname -d 'Database to manage [default: insta485], or a `postgresql://` URI or `key=value` connection string naming it. PGDATABASE is not read' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand reset" -s h -l host -d 'Server host name, IP address or socket folder [env: PGHOST]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand reset" -s p -l port -d 'Server port [env: PGPORT] [default: 5432]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand reset" -s U -l username -d 'User name to connect as [env: PGUSER] [default: your login name]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand reset" -l root -d 'Project folder holding `sql/` [default: nearest folder upward with sql/schema.sql]' -r -F
complete -c insta485db -n "__fish_insta485db_using_subcommand reset" -l wait -d 'Wait up to SECONDS [default: 30] for the server to accept connections' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand reset" -l force -d 'End other sessions connected to the database instead of failing'
complete -c insta485db -n "__fish_insta485db_using_subcommand reset" -s y -l yes -d 'Do not ask before dropping a database on a server that is not local'
complete -c insta485db -n "__fish_insta485db_using_subcommand reset" -s q -l quiet -d 'Print only errors'
complete -c insta485db -n "__fish_insta485db_using_subcommand reset" -l help -d 'Print help'
complete -c insta485db -n "__fish_insta485db_using_subcommand dump" -l format -d 'Output format' -r -f -a "table\t'Drawn tables, one per database table'
expanded\t'One block per record, like psql\'s \\x'
csv\t'RFC 4180 CSV with a header row'
json\t'JSON, typed values'"
complete -c insta485db -n "__fish_insta485db_using_subcommand dump" -s t -l table -d 'Dump only this table (repeatable)' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand dump" -s d -l dbname -d 'Database to manage [default: insta485], or a `postgresql://` URI or `key=value` connection string naming it. PGDATABASE is not read' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand dump" -s h -l host -d 'Server host name, IP address or socket folder [env: PGHOST]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand dump" -s p -l port -d 'Server port [env: PGPORT] [default: 5432]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand dump" -s U -l username -d 'User name to connect as [env: PGUSER] [default: your login name]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand dump" -l root -d 'Project folder holding `sql/` [default: nearest folder upward with sql/schema.sql]' -r -F
complete -c insta485db -n "__fish_insta485db_using_subcommand dump" -l wait -d 'Wait up to SECONDS [default: 30] for the server to accept connections' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand dump" -s q -l quiet -d 'Print only errors'
complete -c insta485db -n "__fish_insta485db_using_subcommand dump" -l help -d 'Print help'
complete -c insta485db -n "__fish_insta485db_using_subcommand status" -s d -l dbname -d 'Database to manage [default: insta485], or a `postgresql://` URI or `key=value` connection string naming it. PGDATABASE is not read' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand status" -s h -l host -d 'Server host name, IP address or socket folder [env: PGHOST]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand status" -s p -l port -d 'Server port [env: PGPORT] [default: 5432]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand status" -s U -l username -d 'User name to connect as [env: PGUSER] [default: your login name]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand status" -l root -d 'Project folder holding `sql/` [default: nearest folder upward with sql/schema.sql]' -r -F
complete -c insta485db -n "__fish_insta485db_using_subcommand status" -l wait -d 'Wait up to SECONDS [default: 30] for the server to accept connections' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand status" -s q -l quiet -d 'Print only errors'
complete -c insta485db -n "__fish_insta485db_using_subcommand status" -l help -d 'Print help'
complete -c insta485db -n "__fish_insta485db_using_subcommand random" -s n -l count -d 'How many posts to insert' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand random" -l owner -d 'Who owns the new posts' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand random" -l seed -d 'Seed for the random choices; the same seed on the same database inserts the same rows' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand random" -l filename -d 'Image file name to pick from (repeatable) [default: the four post images]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand random" -s d -l dbname -d 'Database to manage [default: insta485], or a `postgresql://` URI or `key=value` connection string naming it. PGDATABASE is not read' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand random" -s h -l host -d 'Server host name, IP address or socket folder [env: PGHOST]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand random" -s p -l port -d 'Server port [env: PGPORT] [default: 5432]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand random" -s U -l username -d 'User name to connect as [env: PGUSER] [default: your login name]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand random" -l root -d 'Project folder holding `sql/` [default: nearest folder upward with sql/schema.sql]' -r -F
complete -c insta485db -n "__fish_insta485db_using_subcommand random" -l wait -d 'Wait up to SECONDS [default: 30] for the server to accept connections' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand random" -s q -l quiet -d 'Print only errors'
complete -c insta485db -n "__fish_insta485db_using_subcommand random" -l help -d 'Print help'
complete -c insta485db -n "__fish_insta485db_using_subcommand completions" -s d -l dbname -d 'Database to manage [default: insta485], or a `postgresql://` URI or `key=value` connection string naming it. PGDATABASE is not read' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand completions" -s h -l host -d 'Server host name, IP address or socket folder [env: PGHOST]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand completions" -s p -l port -d 'Server port [env: PGPORT] [default: 5432]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand completions" -s U -l username -d 'User name to connect as [env: PGUSER] [default: your login name]' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand completions" -l root -d 'Project folder holding `sql/` [default: nearest folder upward with sql/schema.sql]' -r -F
complete -c insta485db -n "__fish_insta485db_using_subcommand completions" -l wait -d 'Wait up to SECONDS [default: 30] for the server to accept connections' -r
complete -c insta485db -n "__fish_insta485db_using_subcommand completions" -s q -l quiet -d 'Print only errors'
complete -c insta485db -n "__fish_insta485db_using_subcommand completions" -l help -d 'Print help'
complete -c insta485db -n "__fish_insta485db_using_subcommand help; and not __fish_seen_subcommand_from empty create destroy reset dump status random completions help" -f -a "empty" -d 'Create the database with the schema only, and an empty var/uploads'
complete -c insta485db -n "__fish_insta485db_using_subcommand help; and not __fish_seen_subcommand_from empty create destroy reset dump status random completions help" -f -a "create" -d 'Create the database with schema and default data, and copy the uploads'
complete -c insta485db -n "__fish_insta485db_using_subcommand help; and not __fish_seen_subcommand_from empty create destroy reset dump status random completions help" -f -a "destroy" -d 'Drop the database and remove var/uploads (does nothing if they are not there)'
complete -c insta485db -n "__fish_insta485db_using_subcommand help; and not __fish_seen_subcommand_from empty create destroy reset dump status random completions help" -f -a "reset" -d 'Destroy, then create; the old database stays until the new one is built'
complete -c insta485db -n "__fish_insta485db_using_subcommand help; and not __fish_seen_subcommand_from empty create destroy reset dump status random completions help" -f -a "dump" -d 'Print every table of the database'
complete -c insta485db -n "__fish_insta485db_using_subcommand help; and not __fish_seen_subcommand_from empty create destroy reset dump status random completions help" -f -a "status" -d 'Show the server, where each setting came from, and what the database holds'
complete -c insta485db -n "__fish_insta485db_using_subcommand help; and not __fish_seen_subcommand_from empty create destroy reset dump status random completions help" -f -a "random" -d 'Insert random posts'
complete -c insta485db -n "__fish_insta485db_using_subcommand help; and not __fish_seen_subcommand_from empty create destroy reset dump status random completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c insta485db -n "__fish_insta485db_using_subcommand help; and not __fish_seen_subcommand_from empty create destroy reset dump status random completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
