//! A real `redis-server` on a free loopback port, for the fleet-budget tests: started from
//! `$HIGHLEVEL_TEST_REDIS_SERVER` or `redis-server` on the PATH, ready once it says so on its
//! standard output, stopped by its process id when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The environment variable naming the `redis-server` to start.
pub const ENV_REDIS_SERVER: &str = "HIGHLEVEL_TEST_REDIS_SERVER";

/// A running `redis-server`, killed on drop.
pub struct RedisServer {
    child: Child,
    port: u16,
}

/// The `redis-server` binary: `$HIGHLEVEL_TEST_REDIS_SERVER`, else the PATH's.
pub fn find() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(ENV_REDIS_SERVER).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("redis-server"))
        .find(|path| path.is_file())
}

/// The `redis-server` binary, or a failure that says how to get one (never a skip).
fn binary() -> PathBuf {
    find().unwrap_or_else(|| {
        panic!(
            "the fleet-budget tests need a real redis-server: run `cargo xtask test` (it \
                 installs one), install Debian's `redis-server` package, or set \
                 {ENV_REDIS_SERVER} to its path"
        )
    })
}

/// A loopback port free now (the listener is dropped at once).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl RedisServer {
    /// Starts a server on a free loopback port.
    pub fn start() -> RedisServer {
        RedisServer::start_on(free_port())
    }

    /// Starts a server on `port` (again, after [`RedisServer::stop`], to restart one) and
    /// returns once it accepts connections.
    pub fn start_on(port: u16) -> RedisServer {
        let port_text = port.to_string();
        let mut child = Command::new(binary())
            .args(["--port", &port_text, "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("redis-server starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = String::new();
        loop {
            match lines.next() {
                Some(Ok(line)) => {
                    seen.push_str(&line);
                    seen.push('\n');
                    if line.contains("Ready to accept connections") {
                        break;
                    }
                }
                _ => {
                    let mut stderr = String::new();
                    let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("redis-server on port {port} did not start:\n{seen}{stderr}");
                }
            }
        }
        // Keep draining its output, so that a full pipe never blocks it.
        std::thread::spawn(move || lines.for_each(drop));
        RedisServer { child, port }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The process id, to stop (`SIGSTOP`) and resume (`SIGCONT`) it.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (such as `STOP` or `CONT`) to the server.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{signal} {}", self.pid());
    }

    /// Kills the server and waits until it is gone.
    pub fn stop(self) {}

    /// Runs one command and returns its reply as text: a number or string as is, a nil as
    /// `nil`, an error as `ERR …`. Enough to look at the budget's keys.
    pub fn command(&self, args: &[&str]) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let mut request = format!("*{}\r\n", args.len());
        for arg in args {
            request.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
        }
        stream.write_all(request.as_bytes()).unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        match line.split_at(1) {
            ("$", "-1") => "nil".into(),
            ("$", len) => {
                let mut value = vec![0; len.parse::<usize>().unwrap() + 2];
                reader.read_exact(&mut value).unwrap();
                String::from_utf8_lossy(&value[..value.len() - 2]).into_owned()
            }
            (":", n) | ("+", n) => n.into(),
            ("-", error) => error.into(),
            (kind, _) => panic!("a reply of kind {kind} is not read here: {line}"),
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
