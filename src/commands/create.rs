//! `insta485db create`: a new database with schema and default data, and the uploads.

use anyhow::Result;

use crate::cli::BuildArgs;
use crate::context::Context;

pub async fn run(args: &BuildArgs, ctx: &Context) -> Result<()> {
    crate::build::create_new(ctx, true, args.owner.as_deref()).await
}
