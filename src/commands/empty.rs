//! `insta485db empty`: a new database with the schema only, and an empty `var/uploads`.

use anyhow::Result;

use crate::cli::BuildArgs;
use crate::context::Context;

pub async fn run(args: &BuildArgs, ctx: &Context) -> Result<()> {
    crate::build::create_new(ctx, false, args.owner.as_deref()).await
}
