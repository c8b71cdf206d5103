//! Session credentials survive a restart of the server on the same data dir.

use super::{assume, create_role, trust, user_arn, user_with_key, A};
use crate::common::Server;

/// A session's credentials are durable: after a restart on the same data dir they still sign,
/// with the same identity.
#[tokio::test]
async fn sessions_survive_a_restart() {
    let s = Server::start().await;
    let root = ("test", "test");
    let (key, secret) = user_with_key(&s, root, "dana").await;
    let role_arn = format!("arn:aws:iam::{A}:role/keeper");
    create_role(&s, root, "keeper", &trust(&user_arn(A, "dana")), &[]).await;
    let dana = s.via().signing_as(&key, &secret);
    let session = assume(&dana, &role_arn, "kept", |b| b).await.unwrap();
    let dir = s.stop();
    let s = Server::start_in(dir).await;
    assert_eq!(
        session.caller_arn(s.via()).await,
        format!("arn:aws:sts::{A}:assumed-role/keeper/kept")
    );
}
