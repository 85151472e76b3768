#!/usr/bin/env bash
# Real Dovecot (IMAP) and Postfix (SMTP) on loopback for the email tests.
#
# Every instance lives in its own folder DIR (its config, TLS certificate, sockets, queue,
# logs and Maildirs) and on its own free ports, so parallel tests never share anything.
# Nothing under /etc/dovecot, /etc/postfix or /var/spool/postfix is read or written
# (Postfix only reads its read-only meta files in /etc/postfix). Run as root.
#
#   servers.sh start DIR [--no-idle]  start both; prints IMAP_PORT= IMAPS_PORT= SMTP_PORT=
#                                     CA_PEM= DIR= IDLE= once both accept connections.
#                                     --no-idle: Dovecot leaves IDLE out of CAPABILITY
#                                     (before and after login), so clients must poll
#   servers.sh stop DIR               stop both (idempotent)
#   servers.sh smtp-stop DIR          stop Postfix only
#   servers.sh smtp-start DIR         start Postfix again (same port)
#   servers.sh imap-stop DIR          stop Dovecot only (IMAP/IMAPS refuse connections, SMTP
#                                     AUTH fails; Postfix still delivers into the Maildirs)
#   servers.sh imap-start DIR         start Dovecot again (same ports, same mail)
#   servers.sh fill DIR USER COUNT [FOLDER]  write COUNT messages straight into USER's
#                                     Maildir/new (or that folder's)
#   servers.sh read DIR USER MESSAGE-ID     mark that INBOX mail \Seen (doveadm)
#   servers.sh expunge DIR USER MESSAGE-ID  delete that INBOX mail (doveadm)
#   servers.sh deliver DIR USER [FOLDER] <MSG  save a message with doveadm into INBOX or
#                                     FOLDER, made if missing (IDLE clients see it)
#   servers.sh uidvalidity DIR USER   change USER's INBOX UIDVALIDITY (prints the new value)
#   servers.sh mbsync DIR USER TARGET pull USER's INBOX into the Maildir TARGET with mbsync
#   servers.sh big-attachment FILE MB write a .eml with a base64 attachment of MB MiB
#
# Mailboxes: support@example.test, customer@customer.test, bench@example.test and three
# people a customer copies in (cc1..cc3@customer.test), all with the password
# mail-password-123; each has INBOX and Sent.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PASSWORD=mail-password-123
USERS=(support@example.test customer@customer.test bench@example.test
    cc1@customer.test cc2@customer.test cc3@customer.test)
VMAIL=vmail
# Dovecot 2.3's built-in post-login CAPABILITY (checked against 2.3.19 with imaplib) without
# IDLE. An explicit imap_capability replaces the whole list, before login too, and Dovecot
# then appends nothing itself (no LITERAL+, SPECIAL-USE or NOTIFY), so they are listed here.
NO_IDLE_CAPABILITY="IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT SORT=DISPLAY \
THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT \
CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES \
WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE \
SAVEDATE LITERAL+ NOTIFY SPECIAL-USE"

die() {
    echo "servers.sh: $*" >&2
    exit 1
}

usage() {
    sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
    exit 2
}

# The absolute path of the instance folder (which must exist unless creating it).
instance_dir() {
    [ -n "${1:-}" ] || usage
    [ -d "$1" ] || die "no such folder: $1"
    (cd "$1" && pwd -P)
}

conf() { echo "$DIR/dovecot.conf"; }

doveadm_() { doveadm -c "$(conf)" "$@"; }

# The Maildir of USER's folder: INBOX is the Maildir root, other folders are Maildir++ ".NAME".
user_maildir() {
    local user=$1 folder=${2:-INBOX}
    case "$user" in
        *@*) ;;
        *) die "user must be an address: $user" ;;
    esac
    local base="$DIR/mail/${user#*@}/${user%@*}"
    if [ "$folder" = INBOX ]; then echo "$base"; else echo "$base/.$folder"; fi
}

known_user() {
    awk -F: -v u="$1" '$1 == u { found = 1 } END { exit !found }' "$DIR/users" 2>/dev/null ||
        die "unknown mailbox $1 (see $DIR/users)"
}

ensure_vmail() {
    if id -u "$VMAIL" >/dev/null 2>&1; then return 0; fi
    # Parallel starts may race on /etc/passwd: serialise, and re-check under the lock.
    (
        flock -w 30 9 || die "could not lock /run/appcare-vmail.lock"
        id -u "$VMAIL" >/dev/null 2>&1 ||
            useradd --system --user-group --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin "$VMAIL"
    ) 9>/run/appcare-vmail.lock
    id -u "$VMAIL" >/dev/null 2>&1 || die "could not create the system user $VMAIL"
}

# Three distinct free loopback ports, held open together so they differ from each other.
free_ports() {
    python3 - <<'EOF'
import socket
socks = []
for _ in range(3):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# Succeeds once something on 127.0.0.1:PORT accepts a connection (and, with a PREFIX,
# greets with a line starting with it).
port_ready() {
    local port=$1 prefix=${2:-}
    if [ -z "$prefix" ]; then
        timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
    else
        local line
        line=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; head -n1 <&3" 2>/dev/null) ||
            return 1
        [[ "$line" == "$prefix"* ]]
    fi
}

wait_port() {
    local port=$1 prefix=${2:-} i
    for i in $(seq 1 100); do
        port_ready "$port" "$prefix" && return 0
        sleep 0.1
    done
    return 1
}

log_tails() {
    local f
    for f in "$DIR/dovecot.log" "$DIR/postfix.log"; do
        if [ -s "$f" ]; then
            echo "---- tail of $f ----" >&2
            tail -n 40 "$f" >&2
        fi
    done
}

render() {
    local template=$1 target=$2
    sed -e "s|@DIR@|$DIR|g" \
        -e "s|@NAME@|$NAME|g" \
        -e "s|@IMAP_PORT@|$IMAP_PORT|g" \
        -e "s|@IMAPS_PORT@|$IMAPS_PORT|g" \
        -e "s|@SMTP_PORT@|$SMTP_PORT|g" \
        -e "s|@VMAIL_UID@|$VMAIL_UID|g" \
        -e "s|@VMAIL_GID@|$VMAIL_GID|g" \
        -e "s|@SSL_DH@|$SSL_DH|g" \
        -e "s|@IMAP_CAPABILITY@|$IMAP_CAPABILITY|g" \
        "$HERE/$template" >"$target"
}

load_env() {
    [ -f "$DIR/servers.env" ] || die "$DIR holds no started instance (no servers.env)"
    # shellcheck disable=SC1091
    . "$DIR/servers.env"
}

# A zombie counts as gone: PID 1 of a container may be slow to reap a daemon's master.
pid_alive() {
    [ -n "${1:-}" ] && [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

postfix_pid() {
    local f="$DIR/postfix-queue/pid/master.pid"
    [ -f "$f" ] && tr -d ' \n' <"$f"
}

dovecot_pid() {
    local f="$DIR/dovecot-run/master.pid"
    [ -f "$f" ] && tr -d ' \n' <"$f"
}

postfix_start() {
    postfix -c "$DIR/postfix" start >>"$DIR/postfix-start.log" 2>&1 || return 1
    wait_port "$SMTP_PORT" 220
}

postfix_stop() {
    local pid
    pid=$(postfix_pid || true)
    if pid_alive "$pid"; then
        postfix -c "$DIR/postfix" stop >>"$DIR/postfix-start.log" 2>&1 || kill -TERM "$pid" 2>/dev/null || true
        local i
        for i in $(seq 1 100); do
            pid_alive "$pid" || break
            sleep 0.1
        done
        if pid_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    sweep postfix
    # For smtp-stop: the port must be free again for smtp-start (same port).
    [ "${1:-}" = wait-port ] || return 0
    local i
    for i in $(seq 1 50); do
        port_ready "$SMTP_PORT" || return 0
        sleep 0.1
    done
}

# Starts Dovecot with the rendered config; succeeds once IMAP greets and IMAPS accepts.
dovecot_start() {
    dovecot -c "$(conf)" >>"$DIR/dovecot-start.log" 2>&1 || return 1
    wait_port "$IMAP_PORT" "* OK" && wait_port "$IMAPS_PORT"
}

# With a first argument wait-ports, also waits until the IMAP and IMAPS ports refuse
# connections (for imap-stop: imap-start binds the same ports).
dovecot_stop() {
    local pid i
    pid=$(dovecot_pid || true)
    if pid_alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 1 100); do
            pid_alive "$pid" || break
            sleep 0.1
        done
        if pid_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    sweep dovecot
    [ "${1:-}" = wait-ports ] || return 0
    for i in $(seq 1 50); do
        port_ready "$IMAP_PORT" || port_ready "$IMAPS_PORT" || return 0
        sleep 0.1
    done
}

# Processes of this instance that outlived their master: Postfix daemons and Dovecot
# processes whose working folder is inside DIR (each chdirs to its queue or base_dir).
# Dovecot's imap and auth processes may stay while clients (an IDLE session, Postfix's
# smtpd) hold their connections: they get TERM after 0.2 s and KILL after 0.7 s.
sweep() {
    local kind=$1 pass p exe found
    for pass in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        found=()
        # One find lists the few processes working inside DIR; only those are checked.
        while IFS= read -r p; do
            p=${p%/cwd}
            exe=$(readlink "$p/exe" 2>/dev/null) || continue
            case "$kind:$exe" in
                postfix:/usr/lib/postfix/sbin/*) found+=("${p#/proc/}") ;;
                dovecot:/usr/sbin/dovecot | dovecot:/usr/lib/dovecot/*) found+=("${p#/proc/}") ;;
            esac
        done < <(find /proc -mindepth 2 -maxdepth 2 -name cwd \( -lname "$DIR" -o -lname "$DIR/*" \) 2>/dev/null)
        [ ${#found[@]} -eq 0 ] && return 0
        if [ "$pass" -ge 8 ]; then
            kill -KILL "${found[@]}" 2>/dev/null || true
        elif [ "$pass" -ge 3 ]; then
            kill -TERM "${found[@]}" 2>/dev/null || true
        fi
        sleep 0.1
    done
}

cmd_start() {
    local arg dir= idle=yes
    for arg in "$@"; do
        case "$arg" in
            --no-idle) idle=no ;;
            -*) usage ;;
            *) [ -z "$dir" ] || usage; dir=$arg ;;
        esac
    done
    DIR=$(instance_dir "$dir")
    case "$DIR" in
        *[[:space:]\|\&\\]*) die "the folder's path must not hold spaces or | & \\: $DIR" ;;
    esac
    [ "$(id -u)" = 0 ] || die "run as root (Dovecot and Postfix start as root, then drop privileges)"
    [ ! -e "$DIR/servers.env" ] || die "$DIR already holds an instance"
    # Postfix (user postfix) and the mail processes (user vmail) must reach into DIR.
    chmod 0755 "$DIR"
    local d=$DIR
    while [ "$d" != / ]; do
        d=$(dirname "$d")
        [ "$(stat -c %A "$d" | cut -c10)" = x ] || [ "$(stat -c %A "$d" | cut -c10)" = t ] ||
            die "$d is not searchable by other users; Postfix and vmail could not reach $DIR"
    done
    ensure_vmail
    VMAIL_UID=$(id -u "$VMAIL")
    VMAIL_GID=$(id -g "$VMAIL")
    NAME="appcare-mail-$(basename "$DIR" | tr -c 'A-Za-z0-9\n' '-')"
    SSL_DH=
    if [ -f /usr/share/dovecot/dh.pem ]; then SSL_DH="ssl_dh = </usr/share/dovecot/dh.pem"; fi
    if [ "$idle" = yes ]; then
        IMAP_CAPABILITY="# imap_capability: Dovecot's built-in list (with IDLE)"
    else
        IMAP_CAPABILITY="imap_capability = $NO_IDLE_CAPABILITY"
    fi

    # A self-signed server certificate for 127.0.0.1 that clients trust as their only root.
    # CA:FALSE and serverAuth: rustls/webpki refuse a CA certificate as the server's own.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
        -subj "/CN=localhost/O=Appcare test mail" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -addext "basicConstraints=critical,CA:FALSE" \
        -addext "keyUsage=critical,digitalSignature" \
        -addext "extendedKeyUsage=serverAuth" \
        -keyout "$DIR/key.pem" -out "$DIR/cert.pem" >"$DIR/openssl.log" 2>&1 ||
        { cat "$DIR/openssl.log" >&2; die "openssl could not make the certificate"; }
    chmod 0600 "$DIR/key.pem"
    chmod 0644 "$DIR/cert.pem"
    cp "$DIR/cert.pem" "$DIR/ca.pem"

    local user
    : >"$DIR/users"
    for user in "${USERS[@]}"; do
        echo "$user:{PLAIN}$PASSWORD::::::" >>"$DIR/users"
    done
    # Dovecot's auth process (user dovecot) reads it; nobody else needs to.
    chown root:dovecot "$DIR/users"
    chmod 0640 "$DIR/users"

    mkdir -p "$DIR/mail" "$DIR/dovecot-run" "$DIR/dovecot-state" "$DIR/postfix" \
        "$DIR/postfix-queue" "$DIR/postfix-data"
    chown "$VMAIL_UID:$VMAIL_GID" "$DIR/mail"
    chown postfix:postfix "$DIR/postfix-data"
    for user in "${USERS[@]}"; do
        echo "$user ${user#*@}/${user%@*}/" >>"$DIR/postfix/vmailbox"
    done

    local attempt ok=
    for attempt in 1 2 3; do
        read -r IMAP_PORT IMAPS_PORT SMTP_PORT < <(free_ports)
        render dovecot.conf.in "$DIR/dovecot.conf"
        render main.cf.in "$DIR/postfix/main.cf"
        # While Dovecot is stopped (imap-stop) a new smtpd finds no auth socket and exits
        # ("no SASL authentication mechanisms"); Postfix then throttles smtpd for
        # service_throttle_time, 60 s by default, so SMTP stayed dead long after imap-start.
        echo "service_throttle_time = 1s" >>"$DIR/postfix/main.cf"
        render master.cf.in "$DIR/postfix/master.cf"
        if ! dovecot_start; then
            cat "$DIR/dovecot-start.log" >&2
            dovecot_stop
            continue
        fi
        if ! postfix_start; then
            cat "$DIR/postfix-start.log" >&2
            postfix_stop
            dovecot_stop
            continue
        fi
        ok=1
        break
    done
    if [ -z "$ok" ]; then
        log_tails
        die "the mail servers did not start in $DIR"
    fi

    cat >"$DIR/servers.env" <<EOF
IMAP_PORT=$IMAP_PORT
IMAPS_PORT=$IMAPS_PORT
SMTP_PORT=$SMTP_PORT
CA_PEM=$DIR/ca.pem
DIR=$DIR
IDLE=$idle
EOF

    # Each Maildir (INBOX and Sent) exists from the start, owned by vmail, so both Postfix
    # and the fill command can write into it (Dovecot only creates them on first use).
    local md
    for user in "${USERS[@]}"; do
        md=$(user_maildir "$user")
        install -d -o "$VMAIL_UID" -g "$VMAIL_GID" -m 0700 "$DIR/mail/${user#*@}" "$md" \
            "$md/cur" "$md/new" "$md/tmp" "$md/.Sent" "$md/.Sent/cur" "$md/.Sent/new" "$md/.Sent/tmp"
        install -o "$VMAIL_UID" -g "$VMAIL_GID" -m 0600 /dev/null "$md/.Sent/maildirfolder"
    done
    for user in "${USERS[@]}"; do
        if ! doveadm_ mailbox status -u "$user" messages INBOX Sent >/dev/null 2>>"$DIR/dovecot-start.log"; then
            cat "$DIR/dovecot-start.log" >&2
            log_tails
            cmd_stop "$DIR" >/dev/null 2>&1 || true
            die "Dovecot cannot open the mailboxes of $user"
        fi
    done

    # The greeting carries the pre-login CAPABILITY: make sure --no-idle took effect.
    if [ "$idle" = no ]; then
        local greeting
        greeting=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$IMAP_PORT; head -n1 <&3" 2>/dev/null || true)
        if [[ "$greeting" != "* OK "* ]] || [[ " $greeting " == *" IDLE "* ]]; then
            cmd_stop "$DIR" >/dev/null 2>&1 || true
            die "Dovecot still advertises IDLE (or did not greet) with --no-idle: $greeting"
        fi
    fi

    cat "$DIR/servers.env"
}

cmd_stop() {
    DIR=$(instance_dir "${1:-}")
    [ -f "$DIR/servers.env" ] && . "$DIR/servers.env"
    SMTP_PORT=${SMTP_PORT:-0}
    if [ -f "$DIR/postfix/main.cf" ]; then postfix_stop; fi
    dovecot_stop
}

cmd_smtp_stop() {
    DIR=$(instance_dir "${1:-}")
    load_env
    postfix_stop wait-port
}

cmd_smtp_start() {
    DIR=$(instance_dir "${1:-}")
    load_env
    if pid_alive "$(postfix_pid || true)" && port_ready "$SMTP_PORT" 220; then return 0; fi
    if ! postfix_start; then
        cat "$DIR/postfix-start.log" >&2
        log_tails
        die "Postfix did not start again on port $SMTP_PORT"
    fi
}

# doveadm finds users through Dovecot's auth socket: after imap-stop it cannot.
require_dovecot() {
    pid_alive "$(dovecot_pid || true)" ||
        die "Dovecot is stopped (imap-stop): $1 needs it; run imap-start first (fill, or sendmail into Postfix, work without it)"
}

cmd_imap_stop() {
    DIR=$(instance_dir "${1:-}")
    load_env
    dovecot_stop wait-ports
    if port_ready "$IMAP_PORT" || port_ready "$IMAPS_PORT"; then
        die "the IMAP ports $IMAP_PORT/$IMAPS_PORT still accept connections after stopping Dovecot"
    fi
}

cmd_imap_start() {
    DIR=$(instance_dir "${1:-}")
    load_env
    if pid_alive "$(dovecot_pid || true)" && port_ready "$IMAP_PORT" "* OK" && port_ready "$IMAPS_PORT"; then
        return 0
    fi
    # Leftovers of a master that died on its own (a stale master.pid makes dovecot refuse).
    dovecot_stop
    if ! dovecot_start; then
        cat "$DIR/dovecot-start.log" >&2
        log_tails
        dovecot_stop
        die "Dovecot did not start again on ports $IMAP_PORT/$IMAPS_PORT"
    fi
    # SMTP AUTH needs Dovecot's auth socket: wait until smtpd greets again (Postfix may
    # have throttled it for a second while the socket was missing).
    if pid_alive "$(postfix_pid || true)" && ! wait_port "$SMTP_PORT" 220; then
        log_tails
        die "Dovecot is back, but Postfix's smtpd does not greet on port $SMTP_PORT"
    fi
}

cmd_fill() {
    DIR=$(instance_dir "${1:-}")
    local user=${2:-} count=${3:-} folder=${4:-INBOX}
    [ -n "$user" ] && [[ "$count" =~ ^[0-9]+$ ]] || usage
    [[ "$folder" =~ ^[A-Za-z0-9]+$ ]] || die "fill: a folder name of letters and digits: $folder"
    load_env
    known_user "$user"
    local maildir
    maildir=$(user_maildir "$user" "$folder")
    # Message numbers continue across fills, so Message-IDs stay unique per instance.
    python3 - "$maildir" "$count" "$(id -u "$VMAIL")" "$(id -g "$VMAIL")" "$DIR/fill-counter" "$user" <<'EOF'
import os, socket, sys, time

maildir, count, uid, gid, counter, user = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
for sub in ("tmp", "new", "cur"):
    os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    os.chown(os.path.join(maildir, sub), uid, gid)
os.chown(maildir, uid, gid)
first = int(open(counter).read().strip() or 0) if os.path.exists(counter) else 0
with open(counter, "w") as f:
    f.write(str(first + count))
now = int(time.time())
host = socket.gethostname().replace("/", "_").replace(":", "_")
pid = os.getpid()
words = ("order invoice delivery refund account password shipping parcel question "
         "thanks please help broken late missing wrong size colour return label").split()
tmp, new = os.path.join(maildir, "tmp"), os.path.join(maildir, "new")
for i in range(first + 1, first + count + 1):
    sender = "customer%d@customer.test" % (i % 997)
    text = " ".join(words[(i * 7 + k) % len(words)] for k in range(80))
    lines = [text[j:j + 70] for j in range(0, len(text), 70)]
    body = "Hello support,\n\nMessage number %d.\n%s\n\nRegards,\nCustomer %d\n" % (i, "\n".join(lines), i % 997)
    msg = (
        "Return-Path: <%s>\n"
        "Message-ID: <fill-%d@customer.test>\n"
        "Date: %s\n"
        "From: Customer %d <%s>\n"
        "To: Support <%s>\n"
        "Subject: Fill message %d about my %s\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 7bit\n"
        "\n%s"
    ) % (sender, i, time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(now - (first + count - i) * 60)),
         i % 997, sender, user, i, words[i % len(words)], body)
    # Zero-padded, so sorting by file name follows the message numbers.
    name = "%d.M%09dP%dQfill.%s" % (now, i, pid, host)
    path = os.path.join(tmp, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, msg.encode())
    os.fchown(fd, uid, gid)
    os.close(fd)
    os.rename(path, os.path.join(new, name))
EOF
}

cmd_deliver() {
    DIR=$(instance_dir "${1:-}")
    local user=${2:-}
    [ -n "$user" ] || usage
    load_env
    known_user "$user"
    require_dovecot deliver
    local folder=${3:-INBOX}
    # A folder other than INBOX is made first (doveadm takes its name in UTF-8).
    if [ "$folder" != INBOX ]; then
        doveadm_ mailbox create -u "$user" "$folder" 2>/dev/null || true
    fi
    doveadm_ save -u "$user" -m "$folder"
}

# Marks the INBOX mail with this Message-ID read, as another mail program would.
cmd_read() {
    DIR=$(instance_dir "${1:-}")
    local user=${2:-} id=${3:-}
    [ -n "$user" ] && [ -n "$id" ] || usage
    load_env
    known_user "$user"
    require_dovecot read
    doveadm_ flags add -u "$user" '\Seen' mailbox INBOX header Message-ID "$id"
}

# Deletes (expunges) the INBOX mail with this Message-ID, as another mail program would.
cmd_expunge() {
    DIR=$(instance_dir "${1:-}")
    local user=${2:-} id=${3:-}
    [ -n "$user" ] && [ -n "$id" ] || usage
    load_env
    known_user "$user"
    require_dovecot expunge
    doveadm_ expunge -u "$user" mailbox INBOX header Message-ID "$id"
}

cmd_uidvalidity() {
    DIR=$(instance_dir "${1:-}")
    local user=${2:-} old new now
    [ -n "$user" ] || usage
    load_env
    known_user "$user"
    require_dovecot uidvalidity
    old=$(doveadm_ -f flow mailbox status -u "$user" uidvalidity INBOX | sed -n 's/.*uidvalidity=\([0-9]*\).*/\1/p')
    [ -n "$old" ] || die "could not read the UIDVALIDITY of $user's INBOX"
    now=$(date +%s)
    new=$((old + 1))
    if [ "$now" -gt "$new" ]; then new=$now; fi
    doveadm_ mailbox update -u "$user" --uid-validity "$new" INBOX
    local got
    got=$(doveadm_ -f flow mailbox status -u "$user" uidvalidity INBOX | sed -n 's/.*uidvalidity=\([0-9]*\).*/\1/p')
    [ "$got" = "$new" ] && [ "$got" != "$old" ] ||
        die "UIDVALIDITY of $user's INBOX is $got after setting $new (was $old)"
    echo "$new"
}

cmd_mbsync() {
    DIR=$(instance_dir "${1:-}")
    local user=${2:-} target=${3:-}
    [ -n "$user" ] && [ -n "$target" ] || usage
    load_env
    known_user "$user"
    mkdir -p "$target"
    target=$(cd "$target" && pwd -P)
    local rc
    rc="$DIR/mbsyncrc-${user//[^A-Za-z0-9]/_}"
    # isync 1.4 syntax: SSLType (1.5 says TLSType); sections are separated by blank lines.
    # MBSYNC_FSYNC=no lets the benchmark also show mbsync without a flush per message.
    cat >"$rc" <<EOF
FSync ${MBSYNC_FSYNC:-yes}

IMAPAccount remote
Host 127.0.0.1
Port $IMAP_PORT
User $user
Pass $PASSWORD
SSLType STARTTLS
CertificateFile $CA_PEM

IMAPStore remote
Account remote

MaildirStore local
Inbox $target
SubFolders Maildir++

Channel inbox
Far :remote:
Near :local:
Patterns ${MBSYNC_PATTERNS:-INBOX}
Sync Pull
Create Near
Expunge None
SyncState *
EOF
    chmod 0600 "$rc"
    local status=0
    mbsync -q -c "$rc" -a || status=$?
    return "$status"
}

cmd_big_attachment() {
    local file=${1:-} mb=${2:-}
    [ -n "$file" ] && [[ "$mb" =~ ^[0-9]+$ ]] || usage
    python3 - "$file" "$mb" <<'EOF'
import base64, os, sys
from email.utils import formatdate

path, mb = sys.argv[1], int(sys.argv[2])
with open(path, "wb") as out:
    header = (
        "Message-ID: <big-attachment-%d-%d@customer.test>\r\n"
        "Date: %s\r\n"
        "From: Big Customer <customer@customer.test>\r\n"
        "To: Support <support@example.test>\r\n"
        "Subject: A %d MB attachment\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"big-boundary\"\r\n"
        "\r\n"
        "--big-boundary\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Please find the %d MB file attached.\r\n"
        "\r\n"
        "--big-boundary\r\n"
        "Content-Type: application/octet-stream; name=\"random-%dmb.bin\"\r\n"
        "Content-Disposition: attachment; filename=\"random-%dmb.bin\"\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
    ) % (mb, os.getpid(), formatdate(localtime=True), mb, mb, mb, mb)
    out.write(header.encode())
    remaining = mb * 1024 * 1024
    chunk = 57 * 16384  # a multiple of 57 bytes: whole 76-character lines
    while remaining > 0:
        raw = os.urandom(min(chunk, remaining))
        remaining -= len(raw)
        out.write(base64.encodebytes(raw).replace(b"\n", b"\r\n"))
    out.write(b"\r\n--big-boundary--\r\n")
EOF
}

main() {
    local command=${1:-}
    [ $# -gt 0 ] && shift
    case "$command" in
        start) cmd_start "$@" ;;
        stop) cmd_stop "$@" ;;
        smtp-stop) cmd_smtp_stop "$@" ;;
        smtp-start) cmd_smtp_start "$@" ;;
        imap-stop) cmd_imap_stop "$@" ;;
        imap-start) cmd_imap_start "$@" ;;
        fill) cmd_fill "$@" ;;
        deliver) cmd_deliver "$@" ;;
        uidvalidity) cmd_uidvalidity "$@" ;;
        read) cmd_read "$@" ;;
        expunge) cmd_expunge "$@" ;;
        mbsync) cmd_mbsync "$@" ;;
        big-attachment) cmd_big_attachment "$@" ;;
        *) usage ;;
    esac
}

main "$@"
