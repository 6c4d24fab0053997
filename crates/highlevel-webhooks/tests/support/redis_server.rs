//! A real `redis-server` on a free loopback port, started from `$HIGHLEVEL_TEST_REDIS_SERVER`
//! or the PATH's (`cargo xtask test` installs one), ready once it says so, killed by its
//! process id when dropped.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub struct RedisServer {
    child: Child,
    port: u16,
}

fn binary() -> PathBuf {
    let from_env = std::env::var_os("HIGHLEVEL_TEST_REDIS_SERVER").filter(|p| !p.is_empty());
    let on_path = || {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|dir| dir.join("redis-server"))
            .find(|p| p.is_file())
    };
    from_env
        .map(PathBuf::from)
        .or_else(on_path)
        .unwrap_or_else(|| {
            panic!(
                "the Redis seen-set tests need a real redis-server: run `cargo xtask test` (it \
             installs one), install Debian's `redis-server`, or set HIGHLEVEL_TEST_REDIS_SERVER"
            )
        })
}

impl RedisServer {
    pub fn start() -> RedisServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(binary())
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = String::new();
        loop {
            match lines.next() {
                Some(Ok(line)) if line.contains("Ready to accept connections") => break,
                Some(Ok(line)) => seen.push_str(&format!("{line}\n")),
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("redis-server on port {port} did not start:\n{seen}");
                }
            }
        }
        // Keep reading its output, so a full pipe never blocks it.
        std::thread::spawn(move || lines.for_each(drop));
        RedisServer { child, port }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
